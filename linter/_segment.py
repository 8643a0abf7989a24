"""Word boundaries for ambiguous short hits, by jieba on a small window only.

jieba is imported and its dictionary loaded on first use, so texts without an ambiguous hit (and
start-up) never pay for it.
"""
from __future__ import annotations

import logging
from functools import cache

WINDOW = 8


@cache
def _tokenizer():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def at_word_boundaries(text: str, start: int, end: int) -> bool:
    """True when text[start:end] starts and ends on jieba token boundaries (within a small window)."""
    lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
    bounds = {lo, hi}
    pos = lo
    for token in _tokenizer().cut(text[lo:hi], HMM=False):
        pos += len(token)
        bounds.add(pos)
    return start in bounds and end in bounds
