"""The vectorized normalize pass for long texts (detail pages): the same result as the regex pass.

A regex split over a detail page costs ~30 ns a character (one match object per run of
punctuation); here the text goes to an array of code points once, and folding, separator removal
and the offset map are table look-ups and masks over the whole array.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ._normalize import _TABLE, ENTITY, FOLD, Normalized

_CODEC = "utf-32-le"
_PLANES = 0x110000

# The fold table as an array: folded code point by code point (the identity where the table is silent).
_FOLD = np.arange(_PLANES, dtype=np.uint32)
_FOLD[np.fromiter(FOLD.keys(), dtype=np.uint32)] = np.fromiter(map(ord, FOLD.values()), dtype=np.uint32)

# Each folded code point's class. Bit 0 set: always removed. `<` and `&` are always removed too: as
# part of a tag or entity, or on their own.
_SEPARATOR, _LT, _GT, _AMP, _DOT = 1, 3, 5, 7, 8  # 0: kept
_CLASS = np.zeros(_PLANES, dtype=np.uint8)
for _lo, _hi in _TABLE["separators"]:
    _CLASS[_lo:_hi + 1] = _SEPARATOR
_CLASS[[ord("<"), ord(">"), ord("&"), ord(".")]] = [_LT, _GT, _AMP, _DOT]
_TAG_START = np.zeros(_PLANES, dtype=bool)  # what may follow `<` in a tag: a letter, `/` or `!`
_TAG_START[[ord(c) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!"]] = True
_DIGIT = np.zeros(_PLANES, dtype=bool)
_DIGIT[ord("0"):ord("9") + 1] = True
_ENTITY = re.compile(ENTITY)

Mask = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.uint32]


@dataclass
class _MaskedNormalized(Normalized):
    """`codes`: the folded text as code points; `removed`: which of them `compact` leaves out."""

    original: str
    compact: str
    codes: Codes
    removed: Mask

    @cached_property
    def folded(self) -> str:  # type: ignore[override]  # built only when a rule looks at it
        return self.codes.tobytes().decode(_CODEC)

    @cached_property
    def _kept(self) -> npt.NDArray[np.intp]:
        return np.flatnonzero(~self.removed)

    def _original(self, i: int) -> int:
        return int(self._kept[i])


def normalize_long(text: str) -> Normalized:
    codes = _FOLD[np.frombuffer(text.encode(_CODEC), dtype=np.uint32)]
    classes = _CLASS[codes]
    removed = (classes & 1).view(np.bool_)
    special = np.flatnonzero(classes >= _LT)  # `<`, `>`, `&` and `.`: few, so handled by position
    if special.size:
        kinds = classes[special]
        _remove_tags(codes, removed, special[(kinds == _LT) | (kinds == _GT)])
        _remove_dots(codes, removed, special[kinds == _DOT])
        if (kinds == _AMP).any():
            spans = np.array([m.span() for m in _ENTITY.finditer(codes.tobytes().decode(_CODEC))],
                             dtype=np.intp).reshape(-1, 2)
            _remove_spans(removed, spans[:, 0], spans[:, 1])
    compact = codes[~removed].tobytes().decode(_CODEC)
    return _MaskedNormalized(text, compact, codes, removed)


def _remove_tags(codes: Codes, removed: Mask, angles: npt.NDArray[np.intp]) -> None:
    """A tag is a `<` whose next angle bracket is a `>` at most 257 characters on, with a letter, `/`
    or `!` right after the `<`."""
    if angles.size < 2:
        return
    is_lt = codes[angles] == ord("<")
    opens = np.flatnonzero(is_lt[:-1] & ~is_lt[1:])
    starts, ends = angles[opens], angles[opens + 1] + 1
    tags = (ends - starts <= 258) & _TAG_START[codes[starts + 1]]
    _remove_spans(removed, starts[tags], ends[tags])


def _remove_dots(codes: Codes, removed: Mask, dots: npt.NDArray[np.intp]) -> None:
    """A dot stays only between two digits (99.9%, 5.0)."""
    if not dots.size:
        return
    # clipped at the ends, a neighbour index lands on the dot itself, which is not a digit
    last = codes.size - 1
    between = _DIGIT[codes[np.maximum(dots - 1, 0)]] & _DIGIT[codes[np.minimum(dots + 1, last)]]
    removed[dots[~between]] = True


def _remove_spans(removed: Mask, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]) -> None:
    """Mark the [start, end) spans removed, in one indexing step for all of them."""
    if not starts.size:
        return
    lengths = ends - starts
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    removed[offsets + np.arange(int(lengths.sum()))] = True
