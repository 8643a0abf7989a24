"""The Linter the service answers with, and rules reload.

A reload builds a complete new Linter off to the side and then swaps one reference: a request reads
`state.linter` once and keeps that object, so in-flight requests finish on the rules they started
with, and a broken pack never replaces working rules.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from linter import ConfigError, Linter, OcrUnavailable, RulePackError, SanshenError, load_config

log = logging.getLogger("sanshen.service")


@dataclass(frozen=True)
class ReloadFailure:
    """Why a reload was refused: the message, and which file, rule and key are broken."""

    message: str
    file: str | None
    rule: str | None
    key: str | None

    @classmethod
    def of(cls, exc: Exception) -> "ReloadFailure":
        if isinstance(exc, RulePackError):
            return cls(str(exc), exc.path, exc.rule_id, exc.key)
        if isinstance(exc, ConfigError):
            return cls(str(exc), exc.path, None, exc.key)
        if isinstance(exc, SanshenError):
            return cls(str(exc), None, None, None)
        return cls(f"{type(exc).__name__}: {exc}", None, None, None)


class ReloadError(Exception):
    def __init__(self, failure: ReloadFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class LinterState:
    """Holds the current Linter; `reload()` replaces it atomically or not at all."""

    def __init__(self, linter: Linter) -> None:
        self.linter = linter
        self.loaded_at = time.time()
        self.ocr_error: str | None = None
        self._reload_lock = threading.Lock()

    def prepare_ocr(self) -> None:
        """Resolve the OCR engine now, so a missing engine shows in the log and /readyz at start-up
        and the first image request does not pay for loading models."""
        if self.linter.ocr == "none":
            self.ocr_error = "OCR is turned off (ocr engine 'none')"
            return
        try:
            engine = self.linter.ocr_engine()
        except OcrUnavailable as exc:
            self.ocr_error = str(exc)
            log.warning("images cannot be checked: %s", exc)
        else:
            self.ocr_error = None
            log.info("OCR engine: %s", engine.name)

    def reload(self) -> tuple[Linter, Linter]:
        """(old, new): re-read the same configuration file and rule packs. Raises ReloadError and
        keeps the current rules when anything is broken. One reload runs at a time."""
        with self._reload_lock:
            old = self.linter
            try:
                new = Linter(load_config(old.config.source), ocr=old.ocr, backend=old.backend)
            except Exception as exc:  # whatever goes wrong while building, the working rules stay
                if not isinstance(exc, SanshenError):
                    log.exception("rules reload failed unexpectedly")
                failure = ReloadFailure.of(exc)
                log.error("rules reload refused, keeping rules %s (%s): %s", old.rules_version,
                          old.ruleset.fingerprint, failure.message)
                raise ReloadError(failure) from None
            self.linter = new
            self.loaded_at = time.time()
            log.info("rules reloaded: %s (%s) -> %s (%s), %d rules", old.rules_version, old.ruleset.fingerprint,
                     new.rules_version, new.ruleset.fingerprint, len(new.rules))
            return old, new
