"""Configuration: defaults, merging a user's rules.toml / [tool.sanshen], and errors naming the key."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK, write_config
from linter import ConfigError, Linter, find_user_config, load_config
from linter._paths import DEFAULT_CONFIG

PACKS = {"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK}


def user_config(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_defaults_only() -> None:
    config = load_config()
    assert config.source is None
    assert config.base_dir == DEFAULT_CONFIG.parent
    assert config.get("scoring", "base") == {"info": 10, "warning": 35, "error": 70, "critical": 90}
    assert config.get("verdict", "block_score") == 85
    assert config.get("verdict", "review_score") == 30
    assert isinstance(config.data["rules_version"], str)


def test_user_config_merges_over_defaults(tmp_path: Path) -> None:
    path = user_config(tmp_path, """
        rules_version = "mine"
        [rules]
        disable = ["absolute.diyi"]
        allow = ["最好看"]
        [scoring]
        evasion = 1.5
        [verdict]
        review_score = 40
        """)
    config = load_config(path)
    assert config.source == path and config.base_dir == tmp_path
    assert config.data["rules_version"] == "mine"
    assert config.get("scoring", "evasion") == 1.5
    assert config.get("scoring", "visible_field") == 1.1  # untouched keys keep their defaults
    assert config.get("verdict", "review_score") == 40
    assert config.get("verdict", "block_score") == 85
    assert "absolute.diyi" in config.get("rules", "disable")
    assert "最好看" in config.get("rules", "allow")


def test_extended_lists_extend_and_others_replace(tmp_path: Path) -> None:
    defaults = load_config()
    path = user_config(tmp_path, '[packs]\nenabled = ["absolute"]\npaths = ["extra"]\n')
    config = load_config(path)
    assert config.get("packs", "enabled") == ["absolute"]  # replaced
    assert config.get("packs", "paths") == list(defaults.get("packs", "paths")) + ["extra"]  # extended


def test_pyproject_tool_sanshen(tmp_path: Path) -> None:
    path = user_config(tmp_path, """
        [project]
        name = "shop"
        [tool.sanshen.verdict]
        block_score = 90
        """, "pyproject.toml")
    assert load_config(path).get("verdict", "block_score") == 90


@pytest.mark.parametrize(("text", "key", "needle"), [
    ("[scorng]\nevasion = 1.2\n", "scorng", "unknown section"),
    ("scoring = 3\n", "scoring", "must be a table"),
    ("[scoring]\nevasoin = 1.2\n", "scoring.evasoin", "unknown key"),
    ("[scoring]\nevasion = \"high\"\n", "scoring.evasion", "wrong type str"),
    ("[verdict]\nblock_score = true\n", "verdict.block_score", "wrong type bool"),
    ("[limits]\nmax_batch = 1.5\n", "limits.max_batch", "wrong type float"),
    ("[packs]\nenabled = \"absolute\"\n", "packs.enabled", "wrong type str"),
    ("[rules]\ndisable = \"absolute\"\n", "rules.disable", "wrong type str"),
    ("rules_version = 3\n", "rules_version", "must be a string"),
    ("[rules.severity]\n\"absolute.zui\" = \"fatal\"\n", "rules.severity.absolute.zui", "'fatal' is not one of"),
    ("[verdict]\nblock_severity = \"high\"\n", "verdict.block_severity", "'high' is not one of"),
    ("[verdict]\nreview_severity = \"low\"\n", "verdict.review_severity", "'low' is not one of"),
    ("[packs]\nenabled = [\"absolute\", \"absolutes\"]\n", "packs.enabled", "unknown family 'absolutes'"),
    ("[routing]\nabsolute = \"boss\"\n", "routing.absolute", "'boss' is not one of"),
    ("[rules.terms]\n\"absolute.zui\" = \"最棒\"\n", "rules.terms.absolute.zui", "list of non-empty strings"),
    ("[rules]\nallow = [\"\"]\n", "rules.allow", "non-empty"),
    ("[packs]\npaths = [1]\n", "packs.paths", "list of non-empty strings"),
    ("[packs]\npaths = [\"\"]\n", "packs.paths", "list of non-empty strings"),
    ("[scoring.base]\nfatal = 100\n", "scoring.base.fatal", "needs numbers"),
    ("[scoring.tier_weight]\nT1 = \"x\"\n", "scoring.tier_weight.T1", "needs numbers"),
    ("[ocr]\nengine = \"easyocr\"\n", "ocr.engine", "'easyocr' is not one of"),
])
def test_config_errors_name_the_key(tmp_path: Path, text: str, key: str, needle: str) -> None:
    path = user_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert err.key == key
    assert str(path) in str(err) and f"key '{key}'" in str(err) and needle in str(err)


def test_invalid_toml(tmp_path: Path) -> None:
    path = user_config(tmp_path, "[scoring\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(("extra", "key"), [
    ('[rules.severity]\n"absolute.nope" = "error"\n', "rules.severity.absolute.nope"),
    ('[routing]\n"absolute.nope" = "legal"\n', "routing.absolute.nope"),
    ('[rules.terms]\n"absolute.nope" = ["x"]\n', "rules.terms.absolute.nope"),
    ('[rules.severity]\nprice = "error"\n', "rules.severity.price"),  # a family with no pack enabled
])
def test_override_for_unknown_rule(tmp_path: Path, extra: str, key: str) -> None:
    config = load_config(write_config(tmp_path, PACKS, extra))
    with pytest.raises(ConfigError) as info:
        Linter(config, ocr="none")
    assert info.value.key == key
    assert "no such rule or family" in str(info.value)


def test_missing_pack_path(tmp_path: Path) -> None:
    path = user_config(tmp_path, '[packs]\nenabled = []\npaths = ["missing"]\n')
    with pytest.raises(ConfigError) as info:
        Linter(load_config(path), ocr="none")
    assert info.value.key == "packs.paths" and "'missing'" in str(info.value)


def test_pack_path_may_be_a_single_file(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(textwrap.dedent(ABSOLUTE_PACK), encoding="utf-8")
    path = user_config(tmp_path, '[packs]\nenabled = []\npaths = ["mine.toml"]\n')
    linter = Linter(load_config(path), ocr="none")
    assert {r.id for r in linter.rules} == {"absolute.zui", "absolute.diyi"}


def test_find_user_config_walks_up(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    rules = user_config(tmp_path, "[verdict]\nblock_score = 90\n")
    assert find_user_config(deep) == rules.resolve()
    # the nearest wins; a pyproject.toml without [tool.sanshen] is skipped
    user_config(tmp_path / "a", "[project]\nname = 'x'\n", "pyproject.toml")
    assert find_user_config(deep) == rules.resolve()
    pyproject = user_config(tmp_path / "a", "[tool.sanshen.verdict]\nblock_score = 95\n", "pyproject.toml")
    assert find_user_config(deep) == pyproject.resolve()


# ---- what the configuration does to the rules --------------------------------------------------


def fired(linter: Linter, text: str, field: str = "detail") -> list[str]:
    return sorted(f.rule for f in linter.check_text(text, field))


def test_disable_rule_and_family(make_linter) -> None:  # type: ignore[no-untyped-def]
    text = "最好 第一 3天美白"
    assert fired(make_linter(PACKS), text) == ["absolute.diyi", "absolute.zui", "efficacy.quantified"]
    assert fired(make_linter(PACKS, '[rules]\ndisable = ["absolute.diyi"]\n'), text) == \
        ["absolute.zui", "efficacy.quantified"]
    assert fired(make_linter(PACKS, '[rules]\ndisable = ["absolute"]\n'), text) == ["efficacy.quantified"]


def test_severity_override_rule_beats_family(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS, '[rules.severity]\nabsolute = "info"\n"absolute.zui" = "critical"\n')
    severities = {f.rule: f.severity for f in linter.check_text("最好 第一", "detail")}
    assert severities == {"absolute.zui": "critical", "absolute.diyi": "info"}


def test_routing_rule_beats_family_beats_pack(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS, '[routing]\nabsolute = "supervisor"\n"absolute.diyi" = "legal"\n')
    stages = {f.rule: f.stage for f in linter.check_text("最好 第一 3天美白", "detail")}
    assert stages == {"absolute.zui": "supervisor", "absolute.diyi": "legal", "efficacy.quantified": "supervisor"}
    report = linter.check({"id": "R", "detail": "最好 第一"})
    assert report.stage == "legal"


def test_extra_terms_and_allowed_phrases(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS, '[rules]\nallow = ["最好看"]\n[rules.terms]\n"absolute.zui" = ["顶 级"]\n')
    assert fired(linter, "顶级面料") == ["absolute.zui"]
    assert fired(linter, "顶·级面料") == ["absolute.zui"]  # extra terms are normalized like pack terms
    assert fired(linter, "最好看的裙子") == []             # a global allowed phrase covers every family
    assert fired(linter, "最好的裙子") == ["absolute.zui"]


def test_thresholds_from_config(make_linter) -> None:  # type: ignore[no-untyped-def]
    strict = make_linter(PACKS, '[verdict]\nblock_severity = "error"\n')
    assert strict.check({"id": "T", "detail": "最好"}).verdict == "block"
    lax = make_linter(PACKS, '[verdict]\nreview_severity = "critical"\nreview_score = 99\nblock_score = 100\n')
    assert lax.check({"id": "T", "detail": "最好"}).verdict == "pass"


def test_rules_version_from_config(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter(PACKS)
    assert linter.rules_version == "test-1"
    assert linter.check({"id": "V"}).rules_version == "test-1"
