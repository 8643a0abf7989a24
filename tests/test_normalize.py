"""Normalization: the 1:1 fold, separator removal and the map back to original offsets."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter._normalize import FOLD, fold, normalize, normalize_term
from linter._separators import is_separator_char


@pytest.mark.parametrize(("raw", "folded"), [
    ("ＶＸ", "vx"),            # full-width -> half-width, case
    ("TOP", "top"),
    ("療效", "疗效"),          # traditional -> simplified
    ("減肥", "减肥"),
    ("唯壹", "唯一"),          # variant 壹 -> 一
    ("①", "1"),               # enclosed digit
    ("❶", "1"),
    ("⑴", "1"),
    ("𝟏", "1"),               # mathematical digit
    ("ТОР", "top"),           # Cyrillic look-alikes
    ("➕", "+"),
    ("ＮＯ．１", "no.1"),
])
def test_fold_examples(raw: str, folded: str) -> None:
    assert fold(raw) == folded
    assert len(fold(raw)) == len(raw)


def test_fold_keeps_length_and_plain_text() -> None:
    text = "全网最好 the best 99.9% <b>hi</b>"
    assert fold(text) == text.lower()
    assert fold("最好") == "最好"


def test_fold_table_is_one_to_one_and_settled() -> None:
    assert all(len(v) == 1 for v in FOLD.values())
    # every target is final: folding twice changes nothing (薴 → 苧 → 苎 used to need two passes)
    assert not [chr(k) for k, v in FOLD.items() if ord(v) in FOLD]
    assert fold("薴") == fold(fold("薴")) == "苎"


@pytest.mark.parametrize("raw", [
    "最好", "最 好", "最　好", "最·好", "最-好", "最~好", "最\u200b好", "最\u200d好", "最\ufeff好", "最<b>好</b>",
    "<p class=\"x\">最</p><span>好</span>", "最🔥好", "最😀😀好", "最&nbsp;好", "最&#160;好", "最&#x3000;好",
    "最\n好", "最\t好", "「最好」", "最，好！",
    # a run of separators must not swallow the `<` or `&` that opens a tag or entity
    "最 <b>好", "最 &nbsp;好", "最， </span>好", "最 <br/> 好", "最 <!-- x -->好",
    # `<` and `&` that open no tag or entity are separators on their own; <<…>> is not a tag
    "<<最好>>", "最 < 好", "最&好", "最 & 好",
])
def test_separators_inside_a_term_are_dropped(raw: str) -> None:
    assert normalize_term(raw) == "最好"


@pytest.mark.parametrize(("raw", "term"), [
    ("No.1", "no1"),
    ("ＮＯ．１", "no1"),
    ("NO.l", "nol"),
    ("99.9%", "99.9%"),      # a dot between digits stays, and % stays
    ("5.0分", "5.0分"),
    ("+V", "+v"),
    ("➕V", "+v"),
    ("1 3 8 0 0", "13800"),
    ("Top 1", "top1"),
    ("療 效", "疗效"),
])
def test_normalize_term(raw: str, term: str) -> None:
    assert normalize_term(raw) == term


def test_normalized_without_separators_is_identity_map() -> None:
    norm = normalize("全网最好")
    assert norm.compact == "全网最好"
    assert norm.span(2, 4) == (2, 4)
    assert not norm.is_disguised(2, 4)


def test_span_maps_back_through_tags_and_spaces() -> None:
    value = "全网 最<b>好</b>的面霜"
    norm = normalize(value)
    assert norm.compact == "全网最好的面霜"
    i = norm.compact.index("最好")
    start, end = norm.span(i, i + 2)
    assert value[start:end] == "最<b>好"
    assert norm.is_disguised(i, i + 2)


def test_span_maps_back_through_fold() -> None:
    value = "本品 ＮＯ．１ 销量"
    norm = normalize(value)
    i = norm.compact.index("no1")
    start, end = norm.span(i, i + 3)
    assert value[start:end] == "ＮＯ．１"
    assert norm.is_disguised(i, i + 3)


def test_span_across_zero_width_and_emoji() -> None:
    value = "🔥最\u200b佳🔥选择"
    norm = normalize(value)
    assert norm.compact == "最佳选择"
    start, end = norm.span(0, 2)
    assert value[start:end] == "最\u200b佳"
    assert norm.span(2, 4) == (len("🔥最\u200b佳🔥"), len(value))


def test_span_of_every_compact_character() -> None:
    value = "a<i>B</i> c&amp;Ｄ…é 1.5% x.y"
    norm = normalize(value)
    for i, ch in enumerate(norm.compact):
        start, end = norm.span(i, i + 1)
        assert end == start + 1
        assert norm.folded[start] == ch


def test_separator_chars() -> None:
    for ch in " \u3000\u200b·-—…，。！？「」【】<>&;🔥😀★":
        assert is_separator_char(ch), repr(ch)
    for ch in "最a1%+.":
        assert not is_separator_char(ch), repr(ch)


@given(st.text(alphabet=st.sampled_from(sorted({chr(c) for c in list(FOLD)[::7]} | set("abcXYZ最好İ療效ＮＯ１①𝟏😀 \u200b"))),
               max_size=40))
@settings(max_examples=300, deadline=None)
def test_fold_equals_the_table_applied_to_every_character(text: str) -> None:
    """fold() takes shortcuts (str.lower, mapping only the characters that need the table); the result
    must be the table applied character by character."""
    assert fold(text) == text.translate(FOLD)
