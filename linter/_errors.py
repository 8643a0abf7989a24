"""Errors the engine raises; each names what is wrong and where."""
from __future__ import annotations


class SanshenError(Exception):
    """Base class: a clear one-line message, shown to users without a traceback."""


class RulePackError(SanshenError):
    def __init__(self, path: str, message: str, rule_id: str | None = None, key: str | None = None) -> None:
        where = path + (f": rule {rule_id}" if rule_id else "") + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {message}")
        self.path, self.rule_id, self.key = path, rule_id, key


class ConfigError(SanshenError):
    def __init__(self, path: str, message: str, key: str | None = None) -> None:
        super().__init__(f"{path}: " + (f"key '{key}': " if key else "") + message)
        self.path, self.key = path, key


class InputError(SanshenError):
    """A listing that does not fit the input format; names the record and the key."""

    def __init__(self, record: str, key: str, message: str) -> None:
        super().__init__(f"record {record}: key '{key}': {message}")
        self.record, self.key, self.detail = record, key, message


class OcrUnavailable(SanshenError):
    """The chosen OCR engine cannot run here (not installed, missing language data)."""
