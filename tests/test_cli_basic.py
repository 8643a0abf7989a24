"""The installed `sanshen` console script, run as a subprocess on small self-contained rule packs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK, write_config
from linter import __version__


def _script() -> str:
    beside = Path(sys.executable).parent / "sanshen"
    if beside.is_file():
        return str(beside)
    found = shutil.which("sanshen")
    if found is None:
        pytest.skip("the sanshen console script is not installed")
    return found


SANSHEN = _script()


def run(*args: str | Path, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([SANSHEN, *map(str, args)], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=60, env=env, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with its own rules.toml (test packs only), so no shipped pack is involved."""
    write_config(tmp_path, {"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK})
    return tmp_path


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def jsonl(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert __version__ in result.stdout and "sanshen" in result.stdout


def test_lint_listing_with_a_finding(project: Path) -> None:
    path = write_json(project / "sku.json", {"id": "SKU-1", "title": "全网最 好的面霜"})
    result = run("lint", path, "--config", project / "rules.toml", "--format", "jsonl", cwd=project)
    assert result.returncode == 1, result.stderr
    (report,) = jsonl(result.stdout)
    assert report["id"] == "SKU-1" and report["rules_version"] == "test-1"
    (finding,) = report["findings"]
    assert (finding["rule"], finding["start"], finding["end"], finding["text"]) == ("absolute.zui", 2, 5, "最 好")
    assert "全网最 好的面霜"[finding["start"]:finding["end"]] == finding["text"]


def test_lint_text_format_names_the_rule(project: Path) -> None:
    path = write_json(project / "sku.json", {"id": "SKU-1", "title": "全网最好的面霜"})
    result = run("lint", path, "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "absolute.zui" in result.stdout and "最好" in result.stdout


def test_lint_clean_listing_exits_0(project: Path) -> None:
    path = write_json(project / "clean.json", {"id": "SKU-2", "title": "纯棉T恤 男款", "detail": "<p>舒适</p>"})
    result = run("lint", path, "--config", project / "rules.toml", "--format", "jsonl", cwd=project)
    assert result.returncode == 0, result.stderr
    (report,) = jsonl(result.stdout)
    assert (report["id"], report["findings"], report["verdict"], report["stage"]) == ("SKU-2", [], "pass", "none")


def test_lint_finds_the_config_upward(project: Path) -> None:
    # no --config: rules.toml next to the listing (and in the working directory) is used
    path = write_json(project / "sku.json", {"id": "SKU-3", "detail": "7天美白"})
    result = run("lint", path, "--format", "jsonl", cwd=project)
    assert result.returncode == 1, result.stderr
    (report,) = jsonl(result.stdout)
    assert [f["rule"] for f in report["findings"]] == ["efficacy.quantified"]
    assert report["rules_version"] == "test-1"


def test_lint_fail_on_and_exit_zero(project: Path) -> None:
    path = write_json(project / "warn.json", {"id": "W", "title": "第一"})  # a warning only
    config = project / "rules.toml"
    assert run("lint", path, "--config", config, cwd=project).returncode == 0             # default: error
    assert run("lint", path, "--config", config, "--fail-on", "warning", cwd=project).returncode == 1
    err = write_json(project / "err.json", {"id": "E", "title": "最好"})
    assert run("lint", err, "--config", config, "--exit-zero", cwd=project).returncode == 0


def test_scan_keeps_order_and_reports_bad_records_in_place(project: Path) -> None:
    catalog = project / "catalog.jsonl"
    catalog.write_text("\n".join([
        json.dumps({"id": "A", "title": "最好的面霜"}, ensure_ascii=False),
        '{"id": "B", "title": ',                                  # malformed JSON
        json.dumps({"id": "C", "title": 123}),                    # wrong type
        json.dumps({"id": "D", "title": "纯棉T恤"}, ensure_ascii=False),
        json.dumps({"id": "E", "detail": "3周祛痘"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    result = run("scan", catalog, "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    records = jsonl(result.stdout)
    assert len(records) == 5
    assert [r.get("id") for r in records][0] == "A"
    assert [r["id"] for r in records[2:]] == ["C", "D", "E"]
    a, b, c, d, e = records
    assert [f["rule"] for f in a["findings"]] == ["absolute.zui"]
    assert "error" in b and "findings" not in b and "2" in str(b["id"]) + b["error"]  # names the line
    assert "error" in c and "findings" not in c and "title" in c["error"]
    assert d["findings"] == [] and d["verdict"] == "pass"
    assert [f["rule"] for f in e["findings"]] == ["efficacy.quantified"]


def test_missing_file_is_a_one_line_error(project: Path) -> None:
    for fmt in ("text", "jsonl"):
        result = run("lint", project / "nope.json", "--config", project / "rules.toml", "--format", fmt,
                     cwd=project)
        assert result.returncode == 2
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        # one line says what is wrong, naming the file: on stderr and/or as an error record in the output
        for stream in (result.stdout, result.stderr):
            lines = [line for line in stream.splitlines() if "nope.json" in line]
            assert len(lines) <= 1 and all("error" in line.lower() for line in lines), output
        assert "nope.json" in output


def test_broken_rules_toml_names_the_key(project: Path) -> None:
    (project / "rules.toml").write_text('[scoring]\nevasion = "high"\n', encoding="utf-8")
    path = write_json(project / "sku.json", {"id": "SKU-1", "title": "最好"})
    for args in (("lint", path, "--config", project / "rules.toml"), ("lint", path)):
        result = run(*args, cwd=project)
        output = result.stdout + result.stderr
        assert result.returncode == 2, output
        assert "scoring.evasion" in output
        assert "Traceback" not in output


def test_broken_pack_names_file_rule_and_key(project: Path) -> None:
    (project / "packs" / "absolute.toml").write_text(
        'family = "absolute"\nseverity = "error"\nstage = "ops"\nbasis = "b"\n'
        '[[rules]]\nid = "absolute.bad"\nmessage = "m"\nterms = ["x"]\nseverity = "fatal"\n', encoding="utf-8")
    result = run("rules", "test", "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 2
    assert "absolute.toml" in result.stderr and "absolute.bad" in result.stderr and "severity" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_test_passes(project: Path) -> None:
    result = run("rules", "test", "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout


def test_rules_test_fails_on_a_wrong_example(project: Path) -> None:
    pack = ABSOLUTE_PACK.replace('pass = ["第一眼就爱上", "最佳食用期 12个月"]',
                                 'pass = ["第一眼就爱上", "最佳食用期 12个月", "最好的面霜"]')
    assert pack != ABSOLUTE_PACK
    (project / "packs" / "absolute.toml").write_text(pack, encoding="utf-8")
    result = run("rules", "test", "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 1
    assert "absolute.zui" in result.stdout and "最好的面霜" in result.stdout and "1 failed" in result.stdout


def test_eval_on_a_tiny_case_file(project: Path) -> None:
    cases = project / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(case, ensure_ascii=False) for case in [
        {"case": "T1", "listing": {"id": "T1", "title": "全网最好的面霜"},
         "expect": [{"family": "absolute", "field": "title"}]},
        {"case": "T2", "listing": {"id": "T2", "detail": "坚持7天美白"},
         "expect": [{"family": "efficacy", "field": "detail"}], "note": "quantified"},
        {"case": "T3", "listing": {"id": "T3", "title": "第一眼就爱上的连衣裙"}, "expect": []},
    ]) + "\n", encoding="utf-8")
    config = project / "rules.toml"
    result = run("eval", cases, "--config", config, "--ocr", "none", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "precision 1.000" in result.stdout and "recall 1.000" in result.stdout
    # a case the rules miss: recall drops below the gate
    with cases.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"case": "T4", "listing": {"id": "T4", "title": "顶级面霜"},
                                 "expect": [{"family": "absolute", "field": "title"}]}, ensure_ascii=False) + "\n")
    result = run("eval", cases, "--config", config, "--ocr", "none", "--min-recall", "0.9", cwd=project)
    assert result.returncode == 1
    assert "recall 0.667" in result.stdout  # 2 of the 3 expected (case, family, field) found


def test_eval_missing_cases_file(project: Path) -> None:
    result = run("eval", project / "nope.jsonl", "--config", project / "rules.toml", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
