"""Matcher backends: pyahocorasick (reference) and ahocorasick-rs must agree hit for hit."""
from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ABSOLUTE_PACK, EFFICACY_PACK
from linter._matcher import PyAhoCorasickMatcher, RustAhoCorasickMatcher, build_matcher

BACKENDS = ["pyahocorasick", "ahocorasick-rs"]

PATTERNS = ["最好", "最", "好的", "全网最低价", "最低价", "低价", "𠀀好", "ab", "b", "abc", "no1", "99.9%"]
TEXTS = [
    "", "全网最低价最好的", "最最最好好", "x𠀀好最好ab😀最好", "abcabcab", "no1no1", "99.9%有效", "无关文本",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_finds_every_overlapping_occurrence(backend: str) -> None:
    matcher = build_matcher(["全网最低价", "最低价", "低价", "最"], backend)
    assert matcher.backend == backend
    hits = sorted(matcher.find("全网最低价"))
    assert hits == sorted([(0, 5, 0), (2, 5, 1), (3, 5, 2), (2, 3, 3)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_offsets_are_code_points(backend: str) -> None:
    # non-BMP characters (CJK extension B) count as one position each
    text = "𠀀𠀁最好"
    assert build_matcher(["最好"], backend).find(text) == [(2, 4, 0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_with_no_patterns(backend: str) -> None:
    matcher = build_matcher([], backend)
    assert matcher.find("最好") == []


@pytest.mark.parametrize("text", TEXTS)
def test_backends_agree_on_fixed_inputs(text: str) -> None:
    py = sorted(PyAhoCorasickMatcher(PATTERNS).find(text))
    rs = sorted(RustAhoCorasickMatcher(PATTERNS).find(text))
    assert py == rs
    for start, end, index in py:
        assert text[start:end] == PATTERNS[index]


_alphabet = st.sampled_from(list("最好的全网低价ab1%.𠀀"))


@settings(max_examples=200, deadline=None)
@given(patterns=st.lists(st.text(_alphabet, min_size=1, max_size=4), min_size=1, max_size=8, unique=True),
       text=st.text(_alphabet, max_size=40))
def test_backends_agree_on_random_inputs(patterns: list[str], text: str) -> None:
    py = sorted(PyAhoCorasickMatcher(patterns).find(text))
    rs = sorted(RustAhoCorasickMatcher(patterns).find(text))
    assert py == rs
    expected = sorted((i, i + len(p), k) for k, p in enumerate(patterns) for i in range(len(text) + 1)
                      if text.startswith(p, i))
    assert py == expected


def test_auto_prefers_rust_backend() -> None:
    assert build_matcher(["a"], "auto").backend == "ahocorasick-rs"


def test_auto_falls_back_to_pyahocorasick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ahocorasick_rs", None)  # import now raises ImportError
    matcher = build_matcher(["最好"], "auto")
    assert matcher.backend == "pyahocorasick"
    assert matcher.find("全网最好") == [(2, 4, 0)]


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown matcher backend"):
        build_matcher(["a"], "re2")


def test_linter_reports_identical_on_both_backends(make_linter) -> None:  # type: ignore[no-untyped-def]
    packs = {"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK}
    py = make_linter(packs, backend="pyahocorasick")
    rs = make_linter(packs, backend="ahocorasick-rs")
    assert py.ruleset.matcher.backend == "pyahocorasick"
    assert rs.ruleset.matcher.backend == "ahocorasick-rs"
    listing = {"id": "B-1", "category": "cosmetics", "title": "全网最低价 最 好 ＮＯ．１ 第一眼 第一",
               "detail": "<p>7天美白</p> 3周祛痘 抗癌 療效 最佳食用期 🔥最🔥佳🔥", "script": "𠀀最好"}
    assert py.check(listing).to_dict() == rs.check(listing).to_dict()
    assert py.check(listing).findings
