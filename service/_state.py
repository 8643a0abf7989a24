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
from typing import get_args

from linter import ConfigError, Context, Linter, OcrUnavailable, RulePackError, SanshenError, load_config
from linter._models import Kind

# a child of uvicorn's logger: our lines share its handlers, format and --log-level
log = logging.getLogger("uvicorn.error.sanshen")


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


def warm(linter: Linter) -> None:
    """Build what a Linter builds on first use, so no request waits for it: the automaton of each
    listing kind, and the word segmenter (loaded by the first ambiguous short hit), reached through
    the examples of the rules that check word boundaries."""
    for kind in get_args(Kind):
        linter.check({"id": "warm-up", "kind": kind, "title": "warm-up"})
    for rule in linter.rules:
        if rule.boundary:
            for example in rule.examples:
                field = "images[0]" if example.field == "images" else example.field
                linter.check_text(example.text, field, Context(example.category, example.kind,
                                                               frozenset(example.evidence)))


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

    def warm_up(self) -> None:
        """Pay the start-up costs before taking traffic (see `warm`), and resolve the OCR engine so a
        missing engine shows in the log and /readyz at start-up and the first image loads no models."""
        warm(self.linter)
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
                warm(new)
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
