"""Where the packaged data lives: inside the wheel (linter/_data) or, in a source checkout, beside
the package at the repository root."""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA_ROOT = _PACKAGE / "_data" if (_PACKAGE / "_data").is_dir() else _PACKAGE.parent
RULES_DIR = DATA_ROOT / "rules"
CORPORA_DIR = DATA_ROOT / "corpora"
DEFAULT_CONFIG = DATA_ROOT / "rules.toml"


def cache_root() -> Path:
    """Where derived data is cached (OCR results, the cut-down word dictionary):
    `$SANSHEN_CACHE_DIR`, else `$XDG_CACHE_HOME/sanshen`, else `~/.cache/sanshen`."""
    root = os.environ.get("SANSHEN_CACHE_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sanshen"
