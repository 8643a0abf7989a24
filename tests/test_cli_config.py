"""Configuration discovery like ruff: rules.toml or [tool.sanshen] in pyproject.toml, found upward
from each LINTED FILE; --config overrides; `sanshen config` prints the effective configuration."""
from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

from clitools import ABSOLUTE, DIVERSION, make_project, run


def _pyproject_project(folder: Path) -> Path:
    (folder / "packs").mkdir(parents=True)
    (folder / "packs" / "diversion.toml").write_text(textwrap.dedent(DIVERSION), encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "copy"\n\n[tool.sanshen]\nrules_version = "py-1"\n'
        '[tool.sanshen.packs]\nenabled = []\npaths = ["packs"]\n'
        '[tool.sanshen.routing]\n"diversion.wechat" = "legal"\n', encoding="utf-8")
    return folder


def test_config_is_found_upward_from_each_linted_file(tmp_path: Path) -> None:
    brand_a = make_project(tmp_path / "brand_a", packs={"absolute": ABSOLUTE})
    brand_b = _pyproject_project(tmp_path / "brand_b")
    (brand_a / "copy" / "deep").mkdir(parents=True)
    (brand_a / "copy" / "deep" / "a.md").write_text("最好 加微信\n", encoding="utf-8")
    (brand_b / "b.md").write_text("最好 加微信\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # the working directory has no configuration of its own
    out = run(["lint", str(brand_a / "copy" / "deep" / "a.md"), str(brand_b / "b.md"), "--format", "jsonl"],
              elsewhere)
    a, b = (json.loads(line) for line in out.stdout.splitlines())
    assert [f["rule"] for f in a["findings"]] == ["absolute.zui"] and a["rules_version"] == "cli-test-1"
    assert [f["rule"] for f in b["findings"]] == ["diversion.wechat"] and b["rules_version"] == "py-1"
    assert b["findings"][0]["stage"] == "legal"  # [tool.sanshen.routing] applied


def test_config_option_overrides_discovery(tmp_path: Path) -> None:
    make_project(tmp_path / "a", packs={"absolute": ABSOLUTE})
    other = make_project(tmp_path / "b", packs={"diversion": DIVERSION})
    (tmp_path / "a" / "x.md").write_text("最好 加微信\n", encoding="utf-8")
    out = run(["lint", "x.md", "--config", str(other / "rules.toml"), "--format", "jsonl"], tmp_path / "a")
    assert [f["rule"] for f in json.loads(out.stdout)["findings"]] == ["diversion.wechat"]


def test_config_command_prints_the_effective_configuration(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", extra='[rules]\ndisable = ["absolute.diyi"]\n[rules.severity]\n'
                                                  '"absolute.zui" = "critical"\n[routing]\nabsolute = "legal"\n')
    (project / "sub").mkdir()
    out = run(["config"], project / "sub")
    assert out.returncode == 0
    assert out.stdout.startswith(f"# effective sanshen configuration\n# user configuration: {project / 'rules.toml'}")
    data = tomllib.loads(out.stdout)  # it is valid TOML ...
    assert data["rules_version"] == "cli-test-1"
    assert data["rules"]["disable"] == ["absolute.diyi"]
    assert data["rules"]["severity"] == {"absolute.zui": "critical"}
    assert data["routing"] == {"absolute": "legal"}
    assert data["scoring"]["base"]["error"] == 70  # ... with the packaged defaults merged in
    as_json = json.loads(run(["config", "--format", "json"], project).stdout)
    assert as_json["source"] == str(project / "rules.toml") and as_json["config"] == data
    # for a file, the configuration found upward from it; --config overrides
    brand = _pyproject_project(tmp_path / "brand")
    (brand / "b.md").write_text("x\n", encoding="utf-8")
    assert tomllib.loads(run(["config", str(brand / "b.md")], tmp_path).stdout)["rules_version"] == "py-1"
    assert tomllib.loads(run(["config", "--config", str(brand / "pyproject.toml")], project).stdout)[
        "rules_version"] == "py-1"


def test_bad_configuration_is_one_line_naming_file_and_key(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", extra='[rules]\ndisable = "absolute"\n')
    out = run(["config"], project)
    assert out.returncode == 2
    assert out.stderr == f"sanshen: error: {project / 'rules.toml'}: key 'rules.disable': has the wrong type str\n"
    broken = tmp_path / "q"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[tool.sanshen\n", encoding="utf-8")
    (broken / "a.md").write_text("x\n", encoding="utf-8")
    out = run(["lint", "a.md"], broken)
    assert out.returncode == 2
    assert out.stdout.startswith(f"a.md: error: {broken / 'pyproject.toml'}: invalid TOML")
