"""Normalize a field for matching while keeping a map back to the original offsets.

Two steps, each cheap when it has nothing to do:
1. fold: a 1:1 character table (case, full-width, traditional → simplified, homoglyphs), so folded
   offsets equal original offsets;
2. compact: drop separators (spaces, punctuation, zero-width characters, emoji, HTML tags and
   entities), so 最 好 / 最<b>好</b> / 最🔥好 all read 最好.
The compact → original index map is only built for texts that have a hit. Long texts (detail pages)
take a vectorized pass (`_normalize_long`) that gives the same result as the regex pass here.
"""
from __future__ import annotations

import abc
import json
import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

_TABLE = json.loads(resources.files("linter").joinpath("_fold_table.json").read_text(encoding="utf-8"))
_RAW_FOLD: dict[str, str] = _TABLE["fold"]


def _settle(ch: str) -> str:
    """Follow fold chains to their end (薴 → 苧 → 苎), so folding is idempotent."""
    seen = {ch}
    while ch in _RAW_FOLD and _RAW_FOLD[ch] not in seen:
        ch = _RAW_FOLD[ch]
        seen.add(ch)
    return ch


FOLD: dict[int, str] = {ord(k): _settle(v) for k, v in _RAW_FOLD.items()}
# Separators beyond the BMP (emoji) fold to a space, so the separator class below stays within the
# BMP, where `re` tests membership with a bitmap instead of a scan over hundreds of ranges (~6× faster).
FOLD.update({cp: " " for lo, hi in _TABLE["separators"] if lo > 0xFFFF for cp in range(lo, hi + 1)})



def _class_of(code_points: list[int], extra: str = "") -> str:
    ranges: list[list[int]] = []
    for cp in sorted(code_points):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return _char_class(ranges)[:-1] + extra + "]"




def _char_class(ranges: list[list[int]], exclude: str = "") -> str:
    parts = []
    for lo, hi in ranges:
        for cut in sorted(ord(c) for c in exclude if lo <= ord(c) <= hi):
            if lo < cut:
                parts.append((lo, cut - 1))
            lo = cut + 1
        if lo <= hi:
            parts.append((lo, hi))
    return "[" + "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                         for lo, hi in parts) + "]"


# A run of separators stops before `<` and `&`, so it never swallows the opening of a tag or entity
# (最 <b>好, 最 &nbsp;好); a `<` or `&` that opens neither is a separator on its own. A tag starts
# with a letter, `/` or `!`, so <<最好>> keeps its words.
_SEP_CLASS = _char_class([r for r in _TABLE["separators"] if r[1] <= 0xFFFF], exclude="<&")
# HTML tags and entities first, so a tag's letters are never matched; then stray dots, then runs of
# separator characters.
TAG = r"<[a-zA-Z/!][^<>]{0,255}>"
ENTITY = r"&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
SEPARATORS = re.compile(
    # a dot not between two digits; the literal comes first so other positions fail fast
    TAG + "|" + ENTITY + r"|\.(?:(?<![0-9]\.)|(?![0-9]))|" + _SEP_CLASS + "+|[<&]"
)
# Texts with none of these only need ASCII lower-casing, which str.lower does 30x faster than the table.
# Any other character whose case changes is in the table, so lower() touches ASCII only. Astral
# characters always take the table (rare, and a BMP class is a fast bitmap test).
_NEEDS_TABLE = re.compile(_class_of([cp for cp in FOLD if cp <= 0xFFFF and not 0x41 <= cp <= 0x5A],
                                    "\U00010000-\U0010FFFF"))


# Capturing, so split() hands back the kept pieces and the removed runs, whose lengths give the offset
# map without a match object per run. Most texts have no tag, entity or dot: for them a bare run of
# separators removes the same characters, twice as fast.
_SPLIT_SEPARATORS = re.compile("(" + SEPARATORS.pattern + ")")
_SPLIT_SEPARATOR_RUNS = re.compile("(" + _SEP_CLASS + "+)")


def _has_markup(folded: str) -> bool:
    return "<" in folded or "&" in folded or "." in folded


_PLAIN_PUNCTUATION = str.maketrans("", "", ".:-_")


def fold(text: str) -> str:
    """Fold one text character by character; the result has the same length."""
    if _NEEDS_TABLE.search(text) is None:
        lowered = text.lower()
    else:
        # Map only the few characters that need the table (str.translate would look up every one),
        # then lower-case ASCII: every other character whose case changes is in the table.
        lowered = _NEEDS_TABLE.sub(_fold_match, text).lower()
    if len(lowered) == len(text):  # İ lower-cases to two characters: leave such text to the table
        return lowered
    return text.translate(FOLD)


def _fold_match(match: re.Match[str]) -> str:
    char = match.group()
    return FOLD.get(ord(char), char)


def normalize_term(term: str) -> str:
    """The form a term, allowed phrase or lexicon name takes in the automaton: the text's own."""
    return normalize(term).compact


class Normalized(abc.ABC):
    """A field's matching form: `compact`, plus the way back to the original string and its folded
    form (same length as the original)."""

    original: str
    folded: str
    compact: str

    @abc.abstractmethod
    def _original(self, i: int) -> int:
        """Original offset of compact offset `i`."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of compact [start, end)."""
        if len(self.compact) == len(self.original):  # nothing removed
            return start, end
        return self._original(start), self._original(end - 1) + 1

    def is_disguised(self, start: int, end: int, original_span: tuple[int, int] | None = None) -> bool:
        """True when the hit was only found through normalization (an evasion). `original_span`: the
        hit's `span()`, when the caller has it already."""
        o_start, o_end = original_span or self.span(start, end)
        seen, matched = self.original[o_start:o_end], self.compact[start:end]
        if seen == matched:  # the common case, decided without building a lower-cased copy
            return False
        # Plain ASCII spellings (No.1, TOP-1, 1:1) are how such terms are written, not disguises.
        return seen.lower().translate(_PLAIN_PUNCTUATION) != matched


@dataclass
class _SplitNormalized(Normalized):
    """`parts` are the pieces of `folded`, kept and removed in turn (kept, removed, …, kept), from the
    one pass that made `compact`; their lengths give the offset map."""

    original: str
    folded: str
    compact: str
    parts: list[str]

    @cached_property
    def _shifts(self) -> tuple[list[int], list[int]]:
        """For each removed run: the compact offset it sits before, and the characters removed up to
        and including it. Built only for texts that have a hit."""
        removed = list(accumulate(map(len, self.parts[1::2])))
        breaks = list(accumulate(map(len, self.parts[0:-1:2])))
        return breaks, removed

    def _original(self, i: int) -> int:
        breaks, removed = self._shifts
        k = bisect_right(breaks, i)
        return i + (removed[k - 1] if k else 0)


# About where the vectorized pass overtakes the regex pass on detail pages (bench/bench_engine.py
# prints both by text length).
LONG_TEXT = 768


def normalize(text: str) -> Normalized:
    if len(text) >= LONG_TEXT:
        from ._normalize_long import normalize_long  # numpy is imported only once a long text comes

        return normalize_long(text)
    return normalize_short(text)


def normalize_short(text: str) -> Normalized:
    """The regex pass: fold, then one split that gives both the compact text and, for texts with a
    hit, the offset map."""
    folded = fold(text)
    parts = (_SPLIT_SEPARATORS if _has_markup(folded) else _SPLIT_SEPARATOR_RUNS).split(folded)
    return _SplitNormalized(text, folded, parts[0] if len(parts) == 1 else "".join(parts[0::2]), parts)
