"""Rule packs: parsing, defaults, and errors that name the file, the rule id and the key."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import ABSOLUTE_PACK, write_config
from linter import Linter, RulePackError, load_config
from linter._rules import load_pack

HEADER = """
family = "absolute"
basis = "pack basis"
severity = "error"
stage = "ops"
"""


def write_pack(folder: Path, body: str, name: str = "absolute.toml", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(header) + textwrap.dedent(body), encoding="utf-8")
    return path


def load_error(folder: Path, body: str, header: str = HEADER) -> RulePackError:
    path = write_pack(folder, body, header=header)
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert str(path) in str(info.value)
    return info.value


def test_load_pack_applies_pack_defaults(pack_dir: Path) -> None:
    path = pack_dir / "absolute.toml"
    path.write_text(textwrap.dedent(ABSOLUTE_PACK), encoding="utf-8")
    pack = load_pack(path)
    assert pack.family == "absolute"
    assert pack.allow == ("第一眼", "第一次")
    zui, diyi = pack.rules
    assert (zui.id, zui.family, zui.severity, zui.stage, zui.tier) == ("absolute.zui", "absolute", "error", "ops", "T3")
    assert zui.basis == "《广告法》第九条第三项"
    assert zui.terms == ("最好", "最佳", "No.1", "全网最低价")
    assert zui.allow == ("最佳食用期",)
    assert zui.fix == {"最好": "优质"} and zui.fixable
    assert diyi.severity == "warning" and not diyi.fixable
    assert zui.source == str(path)
    # examples: the context table gives defaults, a table item overrides them
    fire = [e for e in zui.examples if e.fires]
    passes = [e for e in zui.examples if not e.fires]
    assert [(e.text, e.field, e.category) for e in fire] == [("全网最好的面霜", "title", "general"),
                                                            ("最 好", "detail", "general")]
    assert [e.text for e in passes] == ["第一眼就爱上", "最佳食用期 12个月"]


def test_load_pack_conditions_and_listing_examples(pack_dir: Path) -> None:
    path = write_pack(pack_dir, """
        [[rules]]
        id = "absolute.cond"
        message = "m"
        terms = ["x"]
        categories = ["food"]
        exclude_categories = ["cosmetics"]
        kinds = ["service"]
        fields = ["script"]
        unless_evidence = ["organic_cert"]
        near = { terms = ["同款"], window = 5, side = "after" }
        not_near = { lexicon = "brands" }
        boundary = true
        severity_in = { food = "critical" }

        [[rules.listing_examples]]
        fires = true
        title = "x"
        """)
    rule = load_pack(path).rules[0]
    assert rule.categories == {"food"} and rule.exclude_categories == {"cosmetics"}
    assert rule.kinds == {"service"} and rule.fields == {"script"}
    assert rule.unless_evidence == ("organic_cert",)
    assert rule.near is not None and (rule.near.terms, rule.near.window, rule.near.side) == (("同款",), 5, "after")
    assert rule.not_near is not None and (rule.not_near.lexicon, rule.not_near.window, rule.not_near.side) == \
        ("brands", 12, "either")
    assert rule.boundary and rule.severity_in == {"food": "critical"}
    (lex,) = rule.listing_examples
    assert lex.fires and lex.listing == {"title": "x", "id": "absolute.cond-example"}


@pytest.mark.parametrize(("body", "rule_id", "key", "needle"), [
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\ntemrs = ["y"]\n', "absolute.a", "temrs",
     "unknown key"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nseverity = "fatal"\n', "absolute.a", "severity",
     "'fatal' is not one of"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\ntriggers = ["x"]\npattern = "(x"\n', "absolute.a", "pattern",
     "invalid regex"),
    ('[[rules]]\nid = "absolute.a"\nterms = ["x"]\n', "absolute.a", "message", "is required"),
    ('[[rules]]\nid = "absolute.a"\nmessage = 5\nterms = ["x"]\n', "absolute.a", "message", "must be a string"),
    ('[[rules]]\nid = "efficacy.a"\nmessage = "m"\nterms = ["x"]\n', "efficacy.a", "id", "must start with 'absolute.'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\npattern = "x+"\n', "absolute.a", "triggers", "needs literal triggers"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\ntriggers = ["x"]\n', "absolute.a", "pattern", "triggers need a pattern"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\n', "absolute.a", "terms", "needs terms"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = "x"\n', "absolute.a", "terms", "list of non-empty strings"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x", ""]\n', "absolute.a", "terms", "non-empty"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\ncategories = ["toys"]\n', "absolute.a",
     "categories", "'toys' is not one of"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nkinds = ["email"]\n', "absolute.a", "kinds",
     "'email'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nfields = ["price"]\n', "absolute.a", "fields",
     "'price'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nunless_evidence = ["iso9001"]\n', "absolute.a",
     "unless_evidence", "'iso9001'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nstage = "boss"\n', "absolute.a", "stage", "'boss'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\ntier = "T9"\n', "absolute.a", "tier", "'T9'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nnear = { window = 3 }\n', "absolute.a", "near",
     "needs a lexicon or terms"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nnear = { lexicon = "stars" }\n', "absolute.a",
     "near", "lexicon 'stars'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nnot_near = { terms = ["y"], windw = 3 }\n',
     "absolute.a", "not_near", "unknown key 'windw'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nnear = { terms = ["y"], side = "above" }\n',
     "absolute.a", "side", "'above'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nseverity_in = { toys = "error" }\n', "absolute.a",
     "severity_in", "'toys'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\nseverity_in = { food = "fatal" }\n', "absolute.a",
     "severity_in", "'fatal'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\ncheck = "magic"\n', "absolute.a", "check", "'magic'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\ncheck = "fictitious_original"\nwindow_days = 0\n', "absolute.a",
     "window_days", "positive number"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n[rules.examples]\nfire = ["x"]\nmaybe = ["y"]\n',
     "absolute.a", "examples", "unknown key 'maybe'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n[rules.examples]\nfire = [{ txt = "x" }]\n',
     "absolute.a", "examples.fire", "text string"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n[rules.examples]\npass = [{ text = "x", '
     'category = "toys" }]\n', "absolute.a", "category", "'toys'"),
    ('[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n[[rules.listing_examples]]\ntitle = "x"\n',
     "absolute.a", "listing_examples", "fires = true|false"),
])
def test_rule_errors_name_file_rule_and_key(pack_dir: Path, body: str, rule_id: str, key: str, needle: str) -> None:
    err = load_error(pack_dir, body)
    assert err.rule_id == rule_id
    assert err.key == key
    message = str(err)
    assert f"rule {rule_id}" in message and f"key '{key}'" in message and needle in message


@pytest.mark.parametrize(("text", "key", "needle"), [
    ('family = "absolute"\ncolour = "red"\n[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n', "colour",
     "unknown key"),
    ('family = "fun"\n[[rules]]\nid = "fun.a"\nmessage = "m"\nterms = ["x"]\n', "family", "'fun' is not one of"),
    ('severity = "error"\n[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n', "family", "is required"),
    ('family = "absolute"\n', "rules", "at least one [[rules]]"),
    ('family = "absolute"\n[[rules]]\nmessage = "m"\nterms = ["x"]\n', "id", "string id"),
    ('family = "absolute"\nseverity = "error"\nstage = "ops"\nbasis = "b"\nallow = "x"\n[[rules]]\nid = "absolute.a"\n'
     'message = "m"\nterms = ["x"]\n', "allow",
     "list of non-empty strings"),
])
def test_pack_errors_name_file_and_key(pack_dir: Path, text: str, key: str, needle: str) -> None:
    err = load_error(pack_dir, text, header="")
    assert err.key == key
    assert f"key '{key}'" in str(err) and needle in str(err)


def test_missing_severity_without_pack_default(pack_dir: Path) -> None:
    err = load_error(pack_dir, '[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n',
                     header='family = "absolute"\nstage = "ops"\nbasis = "b"\n')
    assert (err.rule_id, err.key) == ("absolute.a", "severity")


def test_invalid_toml_names_file(pack_dir: Path) -> None:
    err = load_error(pack_dir, "[[rules]\nid = ", header="")
    assert "invalid TOML" in str(err)


def test_unreadable_pack(pack_dir: Path) -> None:
    with pytest.raises(RulePackError, match="cannot read"):
        load_pack(pack_dir / "nope.toml")


RULE_A = '[[rules]]\nid = "absolute.same"\nmessage = "m"\nterms = ["x"]\n'


def test_duplicate_id_across_packs(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"a1": HEADER + RULE_A, "a2": HEADER + RULE_A.replace('"x"', '"y"')})
    with pytest.raises(RulePackError) as info:
        Linter(load_config(config), ocr="none")
    err = info.value
    assert (err.rule_id, err.key) == ("absolute.same", "id")
    assert "duplicate rule id" in str(err)
    assert "a1.toml" in str(err) and "a2.toml" in str(err)  # names both files


def test_duplicate_id_within_one_pack(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"a1": HEADER + RULE_A + RULE_A})
    with pytest.raises(RulePackError, match=r"a1\.toml: rule absolute\.same: key 'id': duplicate rule id"):
        Linter(load_config(config), ocr="none")


def test_broken_pack_through_linter_names_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"bad": HEADER + '[[rules]]\nid = "absolute.a"\nmessage = "m"\nterms = ["x"]\n'
                                                     'severity = "fatal"\n'})
    with pytest.raises(RulePackError, match=r"bad\.toml: rule absolute\.a: key 'severity'"):
        Linter(load_config(config), ocr="none")
