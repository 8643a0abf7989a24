"""Exit codes and gates: 0 clean, 1 findings at or above --fail-on, 2 usage or input error;
--exit-zero; --select/--ignore by rule id or family (prefixes)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from clitools import make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = make_project(tmp_path / "proj")
    (folder / "clean.md").write_text("一款温和的面霜\n", encoding="utf-8")
    (folder / "info.md").write_text("修护\n", encoding="utf-8")
    (folder / "warn.md").write_text("第一品牌\n", encoding="utf-8")
    (folder / "err.md").write_text("最好\n", encoding="utf-8")
    (folder / "crit.md").write_text("根治\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("file", "fail_on", "code"), [
    ("clean.md", "info", 0), ("info.md", "error", 0), ("info.md", "info", 1), ("warn.md", "error", 0),
    ("warn.md", "warning", 1), ("err.md", "error", 1), ("err.md", "critical", 0), ("crit.md", "critical", 1),
    ("crit.md", "never", 0),
])
def test_fail_on(project: Path, file: str, fail_on: str, code: int) -> None:
    assert run(["lint", file, "--fail-on", fail_on], project).returncode == code


def test_default_fails_on_error(project: Path) -> None:
    assert run(["lint", "warn.md"], project).returncode == 0
    assert run(["lint", "err.md"], project).returncode == 1


def test_exit_zero_keeps_input_errors(project: Path) -> None:
    assert run(["lint", "crit.md", "--exit-zero"], project).returncode == 0
    assert run(["lint", "crit.md", "missing.md", "--exit-zero"], project).returncode == 2


def test_usage_errors_exit_2(project: Path) -> None:
    for args in (["lint"], ["lint", "err.md", "--format", "xml"], ["lint", "err.md", "--fail-on", "fatal"],
                 ["scan", "err.md", "--jobs", "0"], ["nonsense"]):
        out = run(args, project)
        assert out.returncode == 2, args
    out = run(["lint", "err.md", "--select", "absolutly"], project)
    assert out.returncode == 2
    assert out.stderr.strip() == ("sanshen: error: --select 'absolutly': no rule or family starts with it; families "
                                  "are absolute, efficacy, infringement, certification, price, promotion, diversion, "
                                  "superstition, prohibited, service_script")


def _rules(project: Path, *args: str) -> list[str]:
    out = run(["lint", "err.md", "warn.md", "crit.md", "info.md", "--format", "jsonl", *args], project)
    return [f["rule"] for line in out.stdout.splitlines() for f in json.loads(line)["findings"]]


def test_select_and_ignore_by_family_id_and_prefix(project: Path) -> None:
    assert _rules(project) == ["absolute.zui", "absolute.diyi", "efficacy.cure", "efficacy.mild"]
    assert _rules(project, "--select", "absolute") == ["absolute.zui", "absolute.diyi"]
    assert _rules(project, "--select", "absolute.zui,efficacy.cure") == ["absolute.zui", "efficacy.cure"]
    assert _rules(project, "--select", "efficacy", "--ignore", "efficacy.mild") == ["efficacy.cure"]
    assert _rules(project, "--ignore", "absolute.d", "--ignore", "eff") == ["absolute.zui"]


def test_ignored_findings_do_not_gate_and_are_rescored(project: Path) -> None:
    assert run(["lint", "crit.md", "--ignore", "efficacy"], project).returncode == 0
    out = run(["lint", "err.md", "--ignore", "absolute.zui", "--format", "json"], project)
    report = json.loads(out.stdout)[0]
    assert (report["findings"], report["score"], report["verdict"], report["stage"]) == ([], 0, "pass", "none")
