"""Property tests (hypothesis): offsets, evasion-proof matching, idempotent normalization, allowed phrases,
and the compact -> original map."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import write_config
from linter import Linter, load_config
from linter._normalize import FOLD, SEPARATORS, fold, normalize, normalize_short, normalize_term
from linter._normalize_long import normalize_long

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])

# Terms of the property pack: CJK, traditional-prone, ASCII and digits; no two of them overlap.
TERMS = {
    "absolute.zui": ["最好", "国家级", "第一"],
    "efficacy.cure": ["疗效", "减肥"],
    "diversion.wechat": ["加微信", "vx"],
    "superstition.kaiguang": ["开光"],
    "promotion.top": ["top1", "no1"],
}
PATTERN = r"\d+天(美白|祛痘)"
ALL_TERMS = [t for terms in TERMS.values() for t in terms]
RULE_OF = {t: rule for rule, terms in TERMS.items() for t in terms}


def _pack(rule_id: str, terms: list[str]) -> str:
    family = rule_id.split(".")[0]
    quoted = ", ".join(f'"{t}"' for t in terms)
    return (f'family = "{family}"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n'
            f'[[rules]]\nid = "{rule_id}"\nmessage = "「{{text}}」"\nterms = [{quoted}]\n')


@pytest.fixture(scope="module")
def linter(make_session_linter) -> Linter:  # type: ignore[no-untyped-def]
    packs = {rule_id.split(".")[0]: _pack(rule_id, terms) for rule_id, terms in TERMS.items()}
    packs["efficacy"] += (f"[[rules]]\nid = \"efficacy.quantified\"\nmessage = \"m\"\ntriggers = [\"美白\", \"祛痘\"]\n"
                          f"pattern = '{PATTERN}'\n")
    return make_session_linter(packs)


# ---- strategies -------------------------------------------------------------------------------------

_VARIANTS: dict[str, list[str]] = {}
for _code, _target in FOLD.items():
    _VARIANTS.setdefault(_target, []).append(chr(_code))

SEPARATOR_TOKENS = [" ", "\u3000", "·", "-", "~", "*", "/", "_", "|", "，", "、", "！", "\n", "\t", "\u200b",
                    "\u200c", "\u200d", "\ufeff", "\u2060", "🔥", "😀", "❤️", "👍🏻", "★", "<b>", "</b>",
                    "<span class=\"hot\">", "</span>", "<br/>", "&nbsp;", "&amp;", "&#160;", "&#x200b;"]
PLAIN_CJK = "的是在了商品新款面霜衣服质量热卖春夏秋冬男女童装包邮正品现货"
PLAIN_ASCII = "abcdefghijkmqrsuwyz2345678ABCDEFG"
FULL_WIDTH = "ＡＢＣ２３４５ＤＥＦ"
TRADITIONAL = "優質貨賣場時裝紅"
NOISE = "<>&;.%+#@()[]【】「」…"
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u2060"
EMOJI = "🔥😀🎁💰✨❤"

separator = st.sampled_from(SEPARATOR_TOKENS)


@st.composite
def disguised(draw: st.DrawFn, term: str) -> str:
    """The term with fold variants (full-width, traditional, homoglyphs) and separators between its characters."""
    out = []
    for i, ch in enumerate(term):
        if i:
            out.append("".join(draw(st.lists(separator, max_size=3))))
        out.append(draw(st.sampled_from([ch, *_VARIANTS.get(ch, [])])))
    return "".join(out)


def _term_chars() -> set[str]:
    chars = set("".join(ALL_TERMS)) | set("美白祛痘天")
    return chars | {v for c in chars for v in _VARIANTS.get(c, [])}


# context that can never produce or extend a term: no term characters, no look-alikes, no tag syntax, no
# Latin letters (a Latin hit must not continue a Latin word: vx is not found in "abcvx")
SAFE_CONTEXT = [c for c in PLAIN_CJK + TRADITIONAL + EMOJI + " ，、！"
                if c not in _term_chars() and fold(c) not in _term_chars()]
safe_text = st.lists(st.sampled_from(SAFE_CONTEXT), max_size=12).map("".join)

any_char = st.sampled_from(PLAIN_CJK + PLAIN_ASCII + FULL_WIDTH + TRADITIONAL + NOISE + ZERO_WIDTH + EMOJI
                           + "".join(ALL_TERMS) + "美白祛痘天0123456789 \n")


@st.composite
def messy_text(draw: st.DrawFn) -> str:
    """Random copy: CJK, ASCII, full-width, traditional, zero-width, emoji, HTML, and inserted (disguised) terms."""
    pieces = draw(st.lists(st.one_of(
        st.text(any_char, min_size=1, max_size=6),
        separator,
        st.sampled_from(ALL_TERMS + ["7天美白", "１２天祛痘", "28天 美 白"]),
        st.sampled_from(ALL_TERMS).flatmap(disguised),
        st.text(max_size=3),  # anything at all, including unpaired surrogates' neighbours and controls
    ), max_size=12))
    return "".join(pieces)


# ---- (a) offsets always index the original value -------------------------------------------------------


@SETTINGS
@given(value=messy_text())
def test_finding_offsets_index_the_original(linter: Linter, value: str) -> None:
    for field in ("title", "detail"):
        for f in linter.check_text(value, field):
            assert 0 <= f.start < f.end <= len(value)
            assert value[f.start:f.end] == f.text
            assert f.message == f"「{f.text}」" or f.rule == "efficacy.quantified"
            if f.rule == "efficacy.quantified":
                assert re.fullmatch(PATTERN, normalize_term(f.text)), f.text
            else:
                # the original text of a literal hit normalizes to one of the rule's terms
                assert normalize_term(f.text) in {normalize_term(t) for t in TERMS[f.rule]}


@SETTINGS
@given(value=messy_text())
def test_report_offsets_index_the_original(linter: Linter, value: str) -> None:
    report = linter.check({"id": "H", "title": value, "detail": value[::-1], "script": value + value})
    listing = {"title": value, "detail": value[::-1], "script": value + value}
    for f in report.findings:
        assert listing[f.field][f.start:f.end] == f.text
    assert 0 <= report.score <= 100


# ---- (b) evasions are still found ----------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), term=st.sampled_from(ALL_TERMS), prefix=safe_text, suffix=safe_text)
def test_disguised_term_is_found(linter: Linter, data: st.DataObject, term: str, prefix: str, suffix: str) -> None:
    hidden = data.draw(disguised(term))
    value = prefix + hidden + suffix
    findings = linter.check_text(value, "detail")
    spans = [(f.rule, f.start, f.end, f.text) for f in findings]
    assert (RULE_OF[term], len(prefix), len(prefix) + len(hidden), hidden) in spans


@SETTINGS
@given(data=st.data(), prefix=safe_text, suffix=safe_text, days=st.integers(1, 400))
def test_disguised_pattern_is_found(linter: Linter, data: st.DataObject, prefix: str, suffix: str,
                                    days: int) -> None:
    hidden = data.draw(disguised(f"{days}天" + data.draw(st.sampled_from(["美白", "祛痘"]))))
    value = prefix + hidden + suffix
    spans = [(f.rule, f.start, f.end) for f in linter.check_text(value, "detail")]
    assert ("efficacy.quantified", len(prefix), len(prefix) + len(hidden)) in spans


# ---- (c) normalization is idempotent -------------------------------------------------------------------


@SETTINGS
@given(value=st.one_of(messy_text(), st.text(max_size=40)))
def test_normalization_is_idempotent(value: str) -> None:
    once = fold(value)
    assert len(once) == len(value)
    assert fold(once) == once
    term = normalize_term(value)
    assert normalize_term(term) == term
    assert normalize(value).compact == term


def test_fold_is_idempotent_on_every_table_entry() -> None:
    keys = "".join(chr(c) for c in FOLD)
    assert fold(fold(keys)) == fold(keys)


# ---- (d) an allowed phrase wins over a shorter denied term inside it ------------------------------------

PHRASE_CHARS = "有机玻璃第一次眼镜最近好评返现国家级标准纯天然"


@pytest.fixture(scope="module")
def allow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("allow")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), phrase=st.text(st.sampled_from(PHRASE_CHARS), min_size=2, max_size=6),
       scope=st.sampled_from(["rule", "pack", "config"]))
def test_allowed_phrase_wins(allow_dir: Path, data: st.DataObject, phrase: str, scope: str) -> None:
    i = data.draw(st.integers(0, len(phrase) - 1))
    j = data.draw(st.integers(i + 1, len(phrase)))
    assume(j - i < len(phrase))
    term = phrase[i:j]
    rule_allow = f'allow = ["{phrase}"]\n' if scope == "rule" else ""
    pack_allow = f'allow = ["{phrase}"]\n' if scope == "pack" else ""
    extra = f'[rules]\nallow = ["{phrase}"]\n' if scope == "config" else ""
    pack = (f'family = "absolute"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n{pack_allow}'
            f'[[rules]]\nid = "absolute.t"\nmessage = "m"\nterms = ["{term}"]\n{rule_allow}')
    linter = Linter(load_config(write_config(allow_dir, {"absolute": pack}, extra)), ocr="none")
    assert [f.text for f in linter.check_text(term, "title")] == [term]  # the term alone is a finding

    prefix = data.draw(st.text(st.sampled_from(PHRASE_CHARS + " "), max_size=6))
    suffix = data.draw(st.text(st.sampled_from(PHRASE_CHARS + " "), max_size=6))
    hidden = data.draw(disguised(phrase))
    value = prefix + hidden + suffix
    lo, hi = len(prefix), len(prefix) + len(hidden)
    for f in linter.check_text(value, "title"):
        assert not (lo <= f.start and f.end <= hi), (value, f)


# ---- (e) the compact -> original map -------------------------------------------------------------------


@SETTINGS
@given(value=st.one_of(messy_text(), st.text(max_size=40)), data=st.data())
def test_compact_map_is_monotonic_and_in_range(value: str, data: st.DataObject) -> None:
    norm = normalize(value)
    assert norm.original == value and len(norm.folded) == len(value)
    index = [norm.span(i, i + 1) for i in range(len(norm.compact))]
    starts = [s for s, _ in index]
    assert all(e == s + 1 for s, e in index)
    assert all(0 <= s < len(value) for s in starts)
    assert all(a < b for a, b in zip(starts, starts[1:]))
    assert "".join(norm.folded[s] for s in starts) == norm.compact
    # the characters left out are exactly the separator runs, tags and entities
    kept = set(starts)
    removed = [(m.start(), m.end()) for m in SEPARATORS.finditer(norm.folded)]
    assert sorted(k for k in range(len(value)) if k not in kept) == [k for a, b in removed for k in range(a, b)]
    if norm.compact:
        i = data.draw(st.integers(0, len(norm.compact) - 1))
        j = data.draw(st.integers(i + 1, len(norm.compact)))
        assert norm.span(i, j) == (starts[i], starts[j - 1] + 1)


# ---- (f) the vectorized pass for long texts equals the regex pass -------------------------------------

# tag and entity edge cases: unclosed, nested angle brackets, over-long, empty, digit-led, bare & and ;
MARKUP_TOKENS = ["<", ">", "&", ";", "<b", "<1>", "< b>", "<!-- x -->", "</>", "<a <b>", "<<最好>>",
                 "<p" + "x" * 254 + ">", "<p" + "x" * 255 + ">", "<p" + "x" * 256 + ">", "&nbsp", "&a;",
                 "&abcdefghi;", "&#12345678;", "&#x1f600;", "&#x;", "1.5", ".5", "5.", "1..2", "No.1", "．"]


@SETTINGS
@given(pieces=st.lists(st.one_of(messy_text(), st.sampled_from(MARKUP_TOKENS), st.text(max_size=4)), max_size=8))
def test_long_text_pass_equals_regex_pass(pieces: list[str]) -> None:
    value = "".join(pieces)
    short, long = normalize_short(value), normalize_long(value)
    assert (long.compact, long.folded) == (short.compact, short.folded)
    assert [long.span(i, i + 1) for i in range(len(long.compact))] == \
        [short.span(i, i + 1) for i in range(len(short.compact))]
    if long.compact:
        assert long.span(0, len(long.compact)) == short.span(0, len(short.compact))


# ---- both matcher backends give the same reports ------------------------------------------------------


@pytest.fixture(scope="module")
def py_linter(make_session_linter) -> Linter:  # type: ignore[no-untyped-def]
    packs = {rule_id.split(".")[0]: _pack(rule_id, terms) for rule_id, terms in TERMS.items()}
    packs["efficacy"] += (f"[[rules]]\nid = \"efficacy.quantified\"\nmessage = \"m\"\ntriggers = [\"美白\", \"祛痘\"]\n"
                          f"pattern = '{PATTERN}'\n")
    return make_session_linter(packs, backend="pyahocorasick")


@SETTINGS
@given(value=messy_text())
def test_backends_give_the_same_findings(linter: Linter, py_linter: Linter, value: str) -> None:
    assert py_linter.ruleset.matcher.backend == "pyahocorasick"
    assert linter.ruleset.matcher.backend == "ahocorasick-rs"
    assert linter.check_text(value, "detail") == py_linter.check_text(value, "detail")
