"""The engine: conditions, trigger + pattern semantics, allowed phrases, dedupe, reports, input errors."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK
from linter import Context, InputError, Linter, OcrLine, OcrText, Report
from linter import _ruleset

PACKS = {"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK}

CONDITIONS_PACK = """
family = "certification"
severity = "error"
stage = "supervisor"
basis = "b"

[[rules]]
id = "certification.organic"
message = "「{text}」需有机认证"
terms = ["有机"]
categories = ["food", "health_food"]
unless_evidence = ["organic_cert", "green_food_cert"]
allow = ["有机玻璃"]

[[rules]]
id = "certification.not_food"
message = "m"
terms = ["防爆"]
exclude_categories = ["food", "home"]

[[rules]]
id = "certification.spoken"
message = "m"
terms = ["包治"]
kinds = ["livestream", "service"]
fields = ["script"]

[[rules]]
id = "certification.graded"
message = "m"
severity = "warning"
severity_in = { health_food = "critical", food = "info" }
terms = ["国家认证"]

[[rules]]
id = "certification.image"
message = "m"
terms = ["专利"]
fields = ["images"]
"""

NEAR_PACK = """
family = "infringement"
severity = "error"
stage = "supervisor"
basis = "b"

[[rules]]
id = "infringement.brand_dupe"
message = "m"
terms = ["平替"]
near = { lexicon = "brands", window = 4, side = "before" }

[[rules]]
id = "infringement.star"
message = "m"
terms = ["同款"]
near = { lexicon = "celebrities", window = 2, side = "either" }
not_near = { terms = ["情侣"], window = 0, side = "before" }

[[rules]]
id = "infringement.replica"
message = "m"
terms = ["复刻"]
near = { terms = ["大牌", "专柜"], window = 3, side = "either" }
not_near = { terms = ["非", "拒绝"], window = 1, side = "before" }

[[rules]]
id = "infringement.after"
message = "m"
terms = ["代工"]
near = { terms = ["工厂"], window = 2, side = "after" }
"""

LEXICONS = {"brands": ("香奈儿", "Chanel", "迪奥"), "celebrities": ("明星甲",)}


def ids(findings: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(f.rule for f in findings)


# ---- conditions -----------------------------------------------------------------------------------


@pytest.fixture
def cond(make_linter) -> Linter:  # type: ignore[no-untyped-def]
    return make_linter({"certification": CONDITIONS_PACK})


def test_categories(cond: Linter) -> None:
    assert ids(cond.check_text("有机大米", "title", Context("food"))) == ["certification.organic"]
    assert ids(cond.check_text("有机大米", "title", Context("health_food"))) == ["certification.organic"]
    assert ids(cond.check_text("有机大米", "title", Context("general"))) == []


def test_exclude_categories(cond: Linter) -> None:
    assert ids(cond.check_text("防爆手机", "title", Context("3c"))) == ["certification.not_food"]
    assert ids(cond.check_text("防爆罐", "title", Context("food"))) == []
    assert ids(cond.check_text("防爆罐", "title", Context("home"))) == []


def test_kinds_and_fields(cond: Linter) -> None:
    assert ids(cond.check_text("包治百病", "script", Context(kind="livestream"))) == ["certification.spoken"]
    assert ids(cond.check_text("包治百病", "script", Context(kind="service"))) == ["certification.spoken"]
    assert ids(cond.check_text("包治百病", "script", Context(kind="listing"))) == []
    assert ids(cond.check_text("包治百病", "detail", Context(kind="livestream"))) == []


def test_fields_images_matches_every_image(cond: Linter) -> None:
    assert ids(cond.check_text("专利技术", "images[3]")) == ["certification.image"]
    assert ids(cond.check_text("专利技术", "title")) == []


def test_unless_evidence(cond: Linter) -> None:
    food = Context("food")
    assert ids(cond.check_text("有机大米", "title", food)) == ["certification.organic"]
    assert ids(cond.check_text("有机大米", "title", Context("food", evidence=frozenset({"organic_cert"})))) == []
    assert ids(cond.check_text("有机大米", "title", Context("food", evidence=frozenset({"green_food_cert"})))) == []
    assert ids(cond.check_text("有机大米", "title", Context("food", evidence=frozenset({"ccc_cert"})))) == \
        ["certification.organic"]
    # through Linter.check: the evidence object's keys are what is on file
    listing = {"id": "E", "category": "food", "title": "有机大米"}
    assert ids(cond.check(listing).findings) == ["certification.organic"]
    assert ids(cond.check({**listing, "evidence": {"organic_cert": "CN-OC-123"}}).findings) == []
    assert ids(cond.check({**listing, "evidence": {"patent_no": "ZL123"}}).findings) == ["certification.organic"]


def test_allowed_phrase_of_the_rule(cond: Linter) -> None:
    assert ids(cond.check_text("有机玻璃收纳盒 有机大米", "title", Context("food"))) == ["certification.organic"]
    (finding,) = cond.check_text("有机玻璃收纳盒 有机大米", "title", Context("food"))
    assert finding.text == "有机" and finding.start == 8


def test_severity_in(cond: Linter) -> None:
    def severity(category: str) -> str:
        (finding,) = cond.check_text("国家认证", "detail", Context(category))
        return finding.severity

    assert severity("general") == "warning"
    assert severity("health_food") == "critical"
    assert severity("food") == "info"
    report = cond.check({"id": "S", "category": "health_food", "detail": "国家认证"})
    assert report.findings[0].score == 90 and report.verdict == "block"


def test_boundary_by_jieba(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = """
        family = "prohibited"
        severity = "error"
        stage = "legal"
        basis = "b"
        [[rules]]
        id = "prohibited.leader"
        message = "m"
        terms = ["领袖"]
        boundary = %s
        """
    strict = make_linter({"prohibited": pack % "true"})
    loose = make_linter({"prohibited": pack % "false"})
    assert ids(strict.check_text("衣领袖口加厚", "title")) == []
    assert ids(loose.check_text("衣领袖口加厚", "title")) == ["prohibited.leader"]
    assert ids(strict.check_text("行业领袖", "title")) == ["prohibited.leader"]
    assert ids(strict.check_text("领袖风范 衣领袖口", "title")) == ["prohibited.leader"]


def test_latin_hit_must_not_continue_a_latin_word(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = 'family = "diversion"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n' \
           '[[rules]]\nid = "diversion.vx"\nmessage = "m"\nterms = ["vx", "加v"]\n'
    linter = make_linter({"diversion": pack})
    assert ids(linter.check_text("加VX领券", "title")) == ["diversion.vx"]
    assert ids(linter.check_text("ＶＸ：abc123", "title")) == ["diversion.vx"]
    assert ids(linter.check_text("v x号", "title")) == ["diversion.vx"]
    assert ids(linter.check_text("xvx号", "title")) == []           # continues a Latin word on the left
    assert ids(linter.check_text("加vip会员", "title")) == []        # 加v continues into "vip"
    assert ids(linter.check_text("加v 咨询", "title")) == ["diversion.vx"]


# ---- co-occurrence -------------------------------------------------------------------------------


@pytest.fixture
def near(make_linter, monkeypatch: pytest.MonkeyPatch) -> Linter:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(_ruleset, "load_lexicon", lambda name: LEXICONS.get(name, ()))
    return make_linter({"infringement": NEAR_PACK})


@pytest.mark.parametrize(("text", "fires"), [
    ("香奈儿平替口红", True),
    ("香奈儿 的 平替", True),        # the window counts matching characters, separators are dropped
    ("ＣＨＡＮＥＬ平替", True),        # lexicon names are normalized like the text
    ("迪奥啊啊啊啊平替", True),        # 4 characters between: inside window 4
    ("迪奥啊啊啊啊啊平替", False),      # 5: outside
    ("平替香奈儿", False),             # side = before
    ("口红平替", False),               # no brand
])
def test_near_lexicon(near: Linter, text: str, fires: bool) -> None:
    assert ("infringement.brand_dupe" in ids(near.check_text(text, "title"))) is fires


@pytest.mark.parametrize(("text", "fires"), [
    ("明星甲同款卫衣", True),
    ("同款卫衣明星甲", True),          # after, 2 characters between: inside window 2
    ("同款卫衣衣明星甲", False),        # 3 between: outside
    ("同款明星甲", True),              # side = either
    ("明星甲情侣同款", False),          # not_near term right before the hit
    ("卫衣同款", False),
])
def test_near_lexicon_with_not_near(near: Linter, text: str, fires: bool) -> None:
    assert ("infringement.star" in ids(near.check_text(text, "title"))) is fires


@pytest.mark.parametrize(("text", "fires"), [
    ("大牌复刻包", True),
    ("复刻大牌包", True),
    ("专柜品质复刻", True),             # 2 characters between: inside window 3
    ("大牌包包品质复刻", False),         # 4: outside
    ("复刻风格", False),
    ("大牌非复刻", False),              # not_near
    ("拒绝复刻，只做大牌", False),
    ("拒绝了复刻大牌", False),          # 1 character between: inside not_near window 1
    ("拒绝啊啊复刻大牌", True),         # 2 between: outside, so 大牌 makes it fire
])
def test_near_terms_and_not_near(near: Linter, text: str, fires: bool) -> None:
    assert ("infringement.replica" in ids(near.check_text(text, "title"))) is fires


@pytest.mark.parametrize(("text", "fires"), [("代工工厂直发", True), ("工厂代工", False), ("代工xx工厂", True),
                                             ("代工xxx工厂", False)])
def test_near_side_after(near: Linter, text: str, fires: bool) -> None:
    assert ("infringement.after" in ids(near.check_text(text, "title"))) is fires


# ---- triggers and patterns -----------------------------------------------------------------------


def test_pattern_behind_trigger(basic_linter: Linter) -> None:
    (f,) = basic_linter.check_text("坚持28天美白肌肤", "detail")
    assert (f.rule, f.text, f.start, f.end) == ("efficacy.quantified", "28天美白", 2, 7)
    assert f.message == "量化功效「28天美白」"


def test_pattern_through_separators(basic_linter: Linter) -> None:
    value = "只要 7 天<b>美 白</b>！"
    (f,) = basic_linter.check_text(value, "detail")
    assert f.text == "7 天<b>美 白" and value[f.start:f.end] == f.text


def test_pattern_match_must_contain_the_trigger(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = """
        family = "efficacy"
        severity = "error"
        stage = "ops"
        basis = "b"
        [[rules]]
        id = "efficacy.days"
        message = "m"
        triggers = ["美白"]
        pattern = '\\d+天(美白|瘦)'
        """
    linter = make_linter({"efficacy": pack})
    assert ids(linter.check_text("7天美白", "title")) == ["efficacy.days"]
    assert ids(linter.check_text("7天瘦", "title")) == []          # the pattern matches, no trigger
    assert ids(linter.check_text("7天瘦 美白精华", "title")) == []  # trigger present, not inside the match


def test_pattern_anchors_are_the_field(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = """
        family = "efficacy"
        severity = "error"
        stage = "ops"
        basis = "b"
        [[rules]]
        id = "efficacy.lead"
        message = "m"
        triggers = ["美白"]
        pattern = '^美白'
        """
    linter = make_linter({"efficacy": pack})
    assert ids(linter.check_text("美白霜", "title")) == ["efficacy.lead"]
    assert ids(linter.check_text(" 「美白」霜", "title")) == ["efficacy.lead"]  # leading separators are dropped
    assert ids(linter.check_text("亮肤美白霜", "title")) == []


def test_pattern_lookback_is_bounded(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = """
        family = "efficacy"
        severity = "error"
        stage = "ops"
        basis = "b"
        [[rules]]
        id = "efficacy.long"
        message = "m"
        triggers = ["美白"]
        pattern = '\\d+美白'
        """
    linter = make_linter({"efficacy": pack})
    (f,) = linter.check_text("1" * 40 + "美白", "title")
    assert f.text == "1" * 24 + "美白"


def test_allowed_phrase_is_checked_on_the_trigger(basic_linter: Linter) -> None:
    # 美白霜 is allowed: it covers the trigger 美白 though not the whole match 7天美白
    assert basic_linter.check_text("7天美白霜", "detail") == []
    assert ids(basic_linter.check_text("7天美白精华", "detail")) == ["efficacy.quantified"]


def test_allowed_phrase_overlapping_match_but_not_trigger(make_linter) -> None:  # type: ignore[no-untyped-def]
    pack = """
        family = "efficacy"
        severity = "error"
        stage = "ops"
        basis = "b"
        allow = ["28天"]
        [[rules]]
        id = "efficacy.days"
        message = "m"
        triggers = ["美白", "最"]
        pattern = '\\d+天美白|最[好佳强]'
        allow = ["最好看"]
        """
    linter = make_linter({"efficacy": pack})
    assert ids(linter.check_text("28天美白", "title")) == ["efficacy.days"]
    assert ids(linter.check_text("最好看的衣服", "title")) == []
    assert ids(linter.check_text("最强的衣服", "title")) == ["efficacy.days"]


# ---- allowed phrases and scopes ------------------------------------------------------------------


def test_allowed_phrases_scopes(basic_linter: Linter) -> None:
    assert basic_linter.check_text("第一眼就爱上", "title") == []          # pack allow
    assert basic_linter.check_text("第 一 眼就爱上", "title") == []        # normalized like terms
    assert basic_linter.check_text("最佳食用期12个月", "title") == []      # rule allow
    assert ids(basic_linter.check_text("第一名", "title")) == ["absolute.diyi"]
    # an allowed phrase of one family does not cover another family's hit
    assert ids(basic_linter.check_text("美白霜 抗癌", "title")) == ["efficacy.disease"]


# ---- dedupe ----------------------------------------------------------------------------------------


def dedupe_pack(rules: str) -> dict[str, str]:
    return {"promotion": 'family = "promotion"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n' + rules}


def test_dedupe_keeps_longest_of_equal_severity(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(dedupe_pack("""
[[rules]]
id = "promotion.a"
message = "m"
terms = ["最低价", "低价"]
[[rules]]
id = "promotion.b"
message = "m"
terms = ["全网最低价"]
"""))
    (f,) = linter.check_text("全网最低价", "title")
    assert (f.rule, f.text) == ("promotion.b", "全网最低价")
    # non-overlapping hits are all kept
    assert [f.text for f in linter.check_text("全网最低价，还是低价", "title")] == ["全网最低价", "低价"]


def test_dedupe_keeps_most_severe(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(dedupe_pack("""
[[rules]]
id = "promotion.long"
message = "m"
terms = ["全网最低价"]
[[rules]]
id = "promotion.short"
severity = "critical"
message = "m"
terms = ["低价"]
"""))
    (f,) = linter.check_text("全网最低价", "title")
    assert (f.rule, f.text, f.severity) == ("promotion.short", "低价", "critical")


def test_dedupe_uses_the_category_severity(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(dedupe_pack("""
[[rules]]
id = "promotion.long"
message = "m"
terms = ["全网最低价"]
[[rules]]
id = "promotion.short"
severity = "warning"
severity_in = { food = "critical" }
message = "m"
terms = ["低价"]
"""))
    assert [f.rule for f in linter.check_text("全网最低价", "title")] == ["promotion.long"]
    (f,) = linter.check_text("全网最低价", "title", Context("food"))
    assert (f.rule, f.severity) == ("promotion.short", "critical")


def test_dedupe_prefers_literal_over_pattern(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(dedupe_pack("""
[[rules]]
id = "promotion.pattern"
message = "m"
triggers = ["返现"]
pattern = '好评返现\\d+元'
[[rules]]
id = "promotion.literal"
message = "m"
terms = ["返现"]
"""))
    (f,) = linter.check_text("好评返现5元", "title")
    assert (f.rule, f.text) == ("promotion.literal", "返现")


def test_no_dedupe_across_families_or_fields(basic_linter: Linter) -> None:
    linter = basic_linter
    report = linter.check({"id": "D", "title": "最好", "detail": "最好"})
    assert [(f.field, f.rule) for f in report.findings] == [("title", "absolute.zui"), ("detail", "absolute.zui")]


def test_no_dedupe_across_families(make_linter) -> None:  # type: ignore[no-untyped-def]
    other = 'family = "promotion"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n' \
            '[[rules]]\nid = "promotion.low"\nmessage = "m"\nterms = ["最低价"]\n'
    linter = make_linter({"absolute": ABSOLUTE_PACK, "promotion": other})
    assert ids(linter.check_text("全网最低价", "title")) == ["absolute.zui", "promotion.low"]


# ---- findings and reports --------------------------------------------------------------------------


def test_offsets_index_the_original_value(basic_linter: Linter) -> None:
    value = "🔥全网 <em>最</em>&nbsp;好\u200b的！ＮＯ．１，療效"
    findings = sorted(basic_linter.check_text(value, "detail"), key=lambda f: f.start)
    assert [f.text for f in findings] == ["最</em>&nbsp;好", "ＮＯ．１", "療效"]
    for f in findings:
        assert value[f.start:f.end] == f.text


def test_report_json_shape(basic_linter: Linter) -> None:
    report = basic_linter.check({"id": "SKU-1", "title": "全网最好的面霜", "extra_key": [1, 2]})
    assert isinstance(report, Report)
    data = json.loads(orjson.dumps(report.to_dict()))
    assert list(data) == ["id", "score", "verdict", "stage", "rules_version", "findings"]
    assert data == {
        "id": "SKU-1", "score": 77, "verdict": "review", "stage": "ops", "rules_version": "test-1",
        "findings": [{"rule": "absolute.zui", "family": "absolute", "severity": "error", "score": 77,
                      "field": "title", "start": 2, "end": 4, "text": "最好", "message": "绝对化用语「最好」",
                      "suggestion": "改用客观描述", "basis": "《广告法》第九条第三项", "stage": "ops", "bbox": None}],
    }
    assert list(data["findings"][0]) == ["rule", "family", "severity", "score", "field", "start", "end", "text",
                                         "message", "suggestion", "basis", "stage", "bbox"]


def test_clean_report(basic_linter: Linter) -> None:
    report = basic_linter.check({"id": "C", "title": "纯棉T恤 男款", "detail": "<p>舒适透气</p>"})
    assert report.to_dict() == {"id": "C", "score": 0, "verdict": "pass", "stage": "none",
                                "rules_version": "test-1", "findings": []}


def test_findings_are_ordered_by_field_then_offset(basic_linter: Linter) -> None:
    report = basic_linter.check({"id": "O", "script": "最好", "detail": "抗癌 最好", "title": "第一 最佳"})
    assert [(f.field, f.start) for f in report.findings] == [("title", 0), ("title", 3), ("detail", 0),
                                                              ("detail", 3), ("script", 0)]


def test_listing_model_and_dict_agree(basic_linter: Linter) -> None:
    from linter import parse_listing

    data = {"id": "M", "kind": "service", "category": "cosmetics", "script": "最好"}
    assert basic_linter.check(parse_listing(data)).to_dict() == basic_linter.check(data).to_dict()


# ---- input validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("listing", "record", "key"), [
    ({"id": "A1", "title": 123}, "A1", "title"),
    ({"id": "A1", "category": "toys"}, "A1", "category"),
    ({"id": "A1", "kind": "email"}, "A1", "kind"),
    ({"id": "A1", "price": {"promo_start": "2026-11-11", "history": [{"date": "2026-02-30", "price": 5}]}}, "A1",
     "price.history[0].date"),
    ({"id": "A1", "price": {"history": [{"date": "2026-02-01", "price": -5}]}}, "A1", "price.history[0].price"),
    ({"id": "A1", "images": [{"path": "a.png"}, {}]}, "A1", "images[1]"),
    ({"id": "A1", "images": [{"path": "a.png", "data": "AAAA"}]}, "A1", "images[0]"),
    ({"id": "A1", "evidence": ["organic_cert"]}, "A1", "evidence"),
    ({"title": "x"}, "?", "id"),
    ({"id": 7}, "?", "id"),
])
def test_input_errors_name_record_and_key(basic_linter: Linter, listing: dict, record: str, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError) as info:
        basic_linter.check(listing)
    err = info.value
    assert (err.record, err.key) == (record, key)
    assert f"record {record}" in str(err) and f"key '{key}'" in str(err)


def test_non_object_record(basic_linter: Linter) -> None:
    with pytest.raises(InputError, match="must be a JSON object"):
        basic_linter.check(["not", "a", "listing"])  # type: ignore[arg-type]


def test_unknown_keys_are_kept_and_ignored(basic_linter: Linter) -> None:
    report = basic_linter.check({"id": "U", "title": "最好", "shop": {"name": "x"}, "tags": ["a"]})
    assert [f.rule for f in report.findings] == ["absolute.zui"]


def test_field_length_limit(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS, "[limits]\nmax_field_chars = 10\n")
    linter.check({"id": "L", "detail": "x" * 10})
    with pytest.raises(InputError) as info:
        linter.check({"id": "L", "detail": "x" * 11})
    assert (info.value.record, info.value.key) == ("L", "detail")


# ---- images, through a stand-in OCR engine ---------------------------------------------------------


class FakeOcr:
    name = "fake"

    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def read(self, image: bytes) -> OcrText:
        self.seen.append(image)
        return OcrText((OcrLine("水光精华", (0, 0, 400, 50)), OcrLine("全网最好", (0, 60, 400, 110))))


def test_images_are_linted_with_boxes(make_linter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ocr = FakeOcr()
    linter = make_linter(PACKS, ocr=ocr)
    (tmp_path / "a.png").write_bytes(b"png-bytes")
    listing = {"id": "I", "images": [{"path": "a.png"}, {"data": base64.b64encode(b"raw").decode()}]}
    report = linter.check(listing, base_dir=tmp_path)
    assert ocr.seen == [b"png-bytes", b"raw"]
    assert [(f.field, f.text, f.start, f.end) for f in report.findings] == [("images[0]", "最好", 7, 9),
                                                                         ("images[1]", "最好", 7, 9)]
    assert report.findings[0].bbox == [200, 60, 400, 110]
    assert report.findings[0].score == 77  # images are visible fields
    assert report.to_dict()["ocr"] == {"images[0]": "水光精华\n全网最好", "images[1]": "水光精华\n全网最好"}


def test_image_input_errors(make_linter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS, ocr=FakeOcr())
    with pytest.raises(InputError) as info:
        linter.check({"id": "I", "images": [{"data": "%%%not base64"}]})
    assert info.value.key == "images[0].data"
    with pytest.raises(InputError) as info:
        linter.check({"id": "I", "images": [{"path": "https://example.com/a.png"}]})
    assert info.value.key == "images[0].path"
    with pytest.raises(InputError) as info:
        linter.check({"id": "I", "images": [{"path": "missing.png"}]}, base_dir=tmp_path)
    assert info.value.key == "images[0].path"


def test_images_unread_when_ocr_is_none(basic_linter: Linter) -> None:
    report = basic_linter.check({"id": "N", "images": [{"path": "nowhere.png"}]})
    assert report.findings == [] and "ocr" not in report.to_dict()


def test_no_rules_at_all(make_linter, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter({})
    assert linter.rules == []
    report = linter.check({"id": "Z", "title": "全网最好", "price": {"original": 9, "promo_start": "2026-01-01",
                                                               "history": [{"date": "2025-12-01", "price": 1}]}})
    assert report.findings == [] and report.verdict == "pass"


def test_from_config(tmp_path: Path) -> None:
    from conftest import write_config

    linter = Linter.from_config(write_config(tmp_path, PACKS), ocr="none")
    assert {r.id for r in linter.rules} == {"absolute.zui", "absolute.diyi", "efficacy.quantified",
                                            "efficacy.disease"}


def test_finding_to_dict_has_every_field_in_design_order() -> None:
    """to_dict is written out by hand for speed; it must still carry every Finding field."""
    import dataclasses

    from linter import Finding

    finding = Finding("absolute.zui", "absolute", "error", 70, "title", 0, 2, "最好", "m", "s", "b", "ops", [1, 2, 3, 4])
    assert list(finding.to_dict()) == [f.name for f in dataclasses.fields(Finding)]
    assert finding.to_dict()["bbox"] == [1, 2, 3, 4]


def test_jieba_loads_without_importing_pkg_resources() -> None:
    """Word segmentation loads fast (no 70 ms pkg_resources import) and leaves pkg_resources
    importable for anything that wants it later."""
    code = ("import sys, importlib.util\n"
            "from linter import Linter\n"
            "linter = Linter(ocr='none')\n"
            "linter.segmenter.preload()\n"
            "assert 'pkg_resources' not in sys.modules\n"
            "assert linter.check_text('这款面霜效果一流', 'detail')\n"
            "if importlib.util.find_spec('pkg_resources') is not None:\n"
            "    import pkg_resources\n")
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
