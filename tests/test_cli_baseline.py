"""Baselines: --write-baseline / --baseline; only new findings fail; stable under unrelated edits;
entries that no longer match are reported as fixed; a bad baseline file is exit 2 naming it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from clitools import make_project, run


def _catalog(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = make_project(tmp_path / "proj")
    _catalog(folder / "cat.jsonl", [{"id": "A", "title": "最好的面霜"}, {"id": "B", "detail": "加微信 根治"},
                                    {"id": "C", "title": "普通"}])
    return folder


def test_write_then_check_against_the_baseline(project: Path) -> None:
    out = run(["lint", "cat.jsonl", "--write-baseline", "baseline.json"], project)
    assert out.returncode == 0  # writing a baseline accepts what is there
    assert "sanshen: wrote 3 findings to the baseline baseline.json" in out.stderr
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert data["format"] == "sanshen-baseline" and data["version"] == 1
    assert data["entries"][0] == {"id": "A", "field": "title", "rule": "absolute.zui",
                                  "sha256": hashlib.sha256("最好".encode()).hexdigest(), "count": 1}
    assert all(set(e) == {"id", "field", "rule", "sha256", "count"} for e in data["entries"])  # no lines, no times

    # unrelated edits: re-ordered records, text moved within the field, a new clean record
    _catalog(project / "cat.jsonl", [{"id": "C", "title": "普通 新款"}, {"id": "B", "detail": "根治 加微信，欢迎"},
                                     {"id": "A", "title": "今年 最好的面霜"}, {"id": "D", "title": "ok"}])
    out = run(["lint", "cat.jsonl", "--baseline", "baseline.json"], project)
    assert out.returncode == 0, out.stdout
    assert "All clean" in out.stdout and out.stderr == ""

    # a new finding fails; a second copy of a baselined hit in the same field is new too
    _catalog(project / "cat.jsonl", [{"id": "A", "title": "最好的面霜 最好"}, {"id": "B", "detail": "加微信 根治"},
                                     {"id": "D", "title": "最佳"}])
    out = run(["lint", "cat.jsonl", "--baseline", "baseline.json", "--format", "jsonl"], project)
    assert out.returncode == 1
    reports = {r["id"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert [f["start"] for f in reports["A"]["findings"]] == [6]
    assert reports["B"]["findings"] == []
    assert [f["text"] for f in reports["D"]["findings"]] == ["最佳"]


def test_entries_that_no_longer_match_are_reported_fixed(project: Path) -> None:
    run(["lint", "cat.jsonl", "--write-baseline", "baseline.json"], project)
    _catalog(project / "cat.jsonl", [{"id": "A", "title": "优质面霜"}, {"id": "B", "detail": "加微信"}])
    out = run(["lint", "cat.jsonl", "--baseline", "baseline.json"], project)
    assert out.returncode == 0
    assert "sanshen: 2 baseline entries no longer match (fixed) in baseline.json:" in out.stderr
    assert "  fixed: A title absolute.zui" in out.stderr
    assert "  fixed: B detail efficacy.cure" in out.stderr
    # entries of listings not checked in this run are not claimed fixed
    (project / "other.jsonl").write_text('{"id": "Z", "title": "ok"}\n', encoding="utf-8")
    assert "fixed" not in run(["lint", "other.jsonl", "--baseline", "baseline.json"], project).stderr


def test_baseline_for_plain_copy(project: Path) -> None:
    (project / "ad.md").write_text("最好\n", encoding="utf-8")
    run(["lint", "ad.md", "--write-baseline", "b.json"], project)
    (project / "ad.md").write_text("新的第一行\n\n最好\n", encoding="utf-8")  # the hit moved two lines down
    assert run(["lint", "ad.md", "--baseline", "b.json"], project).returncode == 0
    (project / "ad.md").write_text("新的第一行\n\n最好 全网最低价\n", encoding="utf-8")
    out = run(["lint", "ad.md", "--baseline", "b.json"], project)
    assert out.returncode == 1 and "ad.md:3:4: absolute.zui" in out.stdout and "ad.md:3:1:" not in out.stdout


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{not json", "not a sanshen baseline: invalid JSON"),
    ('{"entries": []}', "not a sanshen baseline (write one with --write-baseline)"),
    ('{"format": "sanshen-baseline", "version": 9, "entries": []}', "key 'version': baseline version 9"),
    ('{"format": "sanshen-baseline", "version": 1, "entries": {}}', "key 'entries': must be a list"),
    ('{"format": "sanshen-baseline", "version": 1, "entries": [{"id": "A", "field": "title", "rule": 3}]}',
     "entries[0]: key 'rule': must be a string"),
])
def test_bad_baseline_file(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        (project / "bl.json").write_text(content, encoding="utf-8")
    out = run(["lint", "cat.jsonl", "--baseline", "bl.json"], project)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("sanshen: error: bl.json: ") and message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
