"""Which characters separate the letters of a term, and never belong to one.

Evasions put these inside terms (最 好, 最·好, 最\u200b好, 最🔥好), so the matcher drops them before
matching. `%` and `+` carry meaning in claims (99%, +V) and stay; a `.` stays only between digits
(99.9%, 5.0) so that `No.1` reads as `no1`.
"""
from __future__ import annotations

import unicodedata

SEPARATOR_CATEGORIES = frozenset(
    {"Zs", "Zl", "Zp", "Cc", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sk", "So", "Mn", "Me"}
)
KEPT = frozenset("%+.")


def is_separator_char(ch: str) -> bool:
    return ch not in KEPT and unicodedata.category(ch) in SEPARATOR_CATEGORIES


def separator_ranges(limit: int = 0x110000) -> list[tuple[int, int]]:
    """Inclusive code-point ranges of separator characters (for the generated table)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(limit):
        if 0xD800 <= cp < 0xE000:
            continue
        if is_separator_char(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges
