"""Helpers the formatters share: where a finding is, levels, and artifact URIs."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .._results import Result

# SARIF and GitHub know three levels; critical findings are errors there.
LEVELS = {"info": "note", "warning": "warning", "error": "error", "critical": "error"}


def artifact_uri(path: Path | None) -> str:
    """A URI reference for a file as it was named: relative stays relative (SARIF viewers and GitHub
    resolve it against the checkout), absolute becomes file://."""
    if path is None:
        return "stdin"
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix())


def display_path(result: Result) -> str:
    """The file a result belongs to, for annotations (`-` for stdin)."""
    return str(result.record.path) if result.record.path is not None else "-"
