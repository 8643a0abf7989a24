"""Multi-pattern matching behind one small interface.

`find(text)` returns every occurrence of every pattern, overlapping ones included, as
(start, end, pattern_index). pyahocorasick is the reference backend; ahocorasick-rs (Rust) is used
when installed because it is several times faster on long texts (bench/RESULTS.md).
"""
from __future__ import annotations

from typing import Callable, Protocol


class Matcher(Protocol):
    backend: str

    def find(self, text: str) -> list[tuple[int, int, int]]: ...


class PyAhoCorasickMatcher:
    backend = "pyahocorasick"

    def __init__(self, patterns: list[str]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        for index, pattern in enumerate(patterns):
            self._automaton.add_word(pattern, (index, len(pattern)))
        self._empty = not patterns
        if patterns:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._empty:
            return []
        return [(end + 1 - length, end + 1, index) for end, (index, length) in self._automaton.iter(text)]


class RustAhoCorasickMatcher:
    backend = "ahocorasick-rs"

    def __init__(self, patterns: list[str]) -> None:
        import ahocorasick_rs

        self._empty = not patterns
        if patterns:
            # A DFA costs ~10 ms more to build for our few thousand keys and searches twice as fast.
            self._automaton = ahocorasick_rs.AhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.DFA)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._empty:
            return []
        return [(start, end, index) for index, start, end in
                self._automaton.find_matches_as_indexes(text, overlapping=True)]


BACKENDS: dict[str, Callable[[list[str]], Matcher]] = {"pyahocorasick": PyAhoCorasickMatcher,
                                                      "ahocorasick-rs": RustAhoCorasickMatcher}


def build_matcher(patterns: list[str], backend: str = "auto") -> Matcher:
    """Build the automaton; `auto` prefers ahocorasick-rs and falls back to pyahocorasick."""
    if backend == "auto":
        try:
            import ahocorasick_rs  # noqa: F401
        except ImportError:
            backend = "pyahocorasick"
        else:
            backend = "ahocorasick-rs"
    try:
        return BACKENDS[backend](patterns)
    except KeyError:
        raise ValueError(f"unknown matcher backend {backend!r}; choose auto, pyahocorasick or ahocorasick-rs") from None
