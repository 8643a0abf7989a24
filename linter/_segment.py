"""Word boundaries for ambiguous short hits, by jieba on a small window only.

jieba loads its dictionary on first use, so texts without an ambiguous hit (and start-up) never pay
for it. It loads a cut-down dictionary: the words that share a character with the terms it is asked
about (a word without one cannot cross a term's edge), cut once from jieba's own dictionary and cached
by the terms' hash. That loads in a fraction of the time and memory of the full one, which matters for
one-file pre-commit runs and for every `--jobs` worker.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable

from ._paths import cache_root

WINDOW = 8


class Segmenter:
    def __init__(self, terms: Iterable[str]) -> None:
        self._chars = frozenset("".join(terms))
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def at_word_boundaries(self, text: str, start: int, end: int) -> bool:
        """True when text[start:end] starts and ends on jieba token boundaries (within a small window)."""
        lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
        bounds = {lo, hi}
        pos = lo
        for token in self._load().cut(text[lo:hi], HMM=False):
            pos += len(token)
            bounds.add(pos)
        return start in bounds and end in bounds

    def preload(self) -> None:
        """Load jieba now if any term may need it (before forking workers, so they share it)."""
        if self._chars:
            self._load()

    def _load(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer(str(_dictionary(self._chars, Path(jieba.__file__).parent / "dict.txt")))
                tokenizer.tmp_dir = str(cache_root() / "jieba")
                os.makedirs(tokenizer.tmp_dir, exist_ok=True)
                tokenizer.initialize()
                self._tokenizer = tokenizer
            return self._tokenizer


def _import_jieba() -> Any:
    """jieba 0.42 imports pkg_resources only to open its own files, and falls back to open() when that
    import fails. pkg_resources takes 70 ms to import (and warns on recent setuptools), so it is
    hidden while jieba is imported, unless something imported it already."""
    if "pkg_resources" in sys.modules:
        import jieba
    else:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` raises ImportError
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    return jieba


def _dictionary(chars: frozenset[str], full: Path) -> Path:
    """jieba's dictionary lines whose word shares a character with `chars`, cached on disk."""
    digest = hashlib.sha256("".join(sorted(chars)).encode() + str(full.stat().st_size).encode()).hexdigest()[:16]
    folder = cache_root() / "jieba"
    path = folder / f"dict-{digest}.txt"
    if path.is_file():
        return path
    lines = [line for line in full.read_text(encoding="utf-8").splitlines()
             if not chars.isdisjoint(line.split(" ", 1)[0])]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
        return path
    except OSError:  # an unwritable cache only costs speed: use a private temporary copy
        fd, tmp = tempfile.mkstemp(suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return Path(tmp)
