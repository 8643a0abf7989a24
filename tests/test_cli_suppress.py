"""Inline suppression in plain copy: next-line, same-line, plain-text and block forms; unused
suppressions are reported at info level."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from clitools import make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def _lint(project: Path, name: str, text: str, *args: str) -> tuple[list[str], int]:
    (project / name).write_text(text, encoding="utf-8")
    out = run(["lint", name, *args], project)
    return [line for line in out.stdout.splitlines() if line.startswith(name + ":")], out.returncode


def test_html_comment_next_line_and_same_line(project: Path) -> None:
    lines, code = _lint(project, "a.md", "<!-- sanshen: ignore absolute.zui -->\n这是最好的\n"
                                         "第二个最好 <!-- sanshen: ignore absolute -->\n还有最好\n")
    assert lines == ["a.md:4:3: absolute.zui [error] [*] 绝对化用语「最好」 → 改用客观描述，如「品质出众」"]
    assert code == 1


def test_directive_suppresses_only_the_rules_it_names(project: Path) -> None:
    lines, _ = _lint(project, "b.html", "<p>\n<!-- sanshen: ignore diversion.wechat -->\n最好 加微信\n</p>\n")
    assert [line.split(": ")[1].split()[0] for line in lines] == ["absolute.zui"]


def test_plain_text_forms(project: Path) -> None:
    text = ("# sanshen: ignore absolute.zui\n最好\n"
            "sanshen: ignore-next-line diversion, absolute\n加微信 最好\n"
            "// sanshen: ignore\n根治\n"
            "最佳\n")
    lines, _ = _lint(project, "c.txt", text)
    assert lines == ["c.txt:7:1: absolute.zui [error] 绝对化用语「最佳」 → 改用客观描述，如「品质出众」"]


def test_block_disable_enable(project: Path) -> None:
    text = ("最好\n<!-- sanshen: disable absolute -->\n最好\n第一品牌 加微信\n<!-- sanshen: enable absolute -->\n"
            "最佳\n<!-- sanshen: disable -->\n根治\n加微信\n")
    lines, _ = _lint(project, "d.md", text)
    assert [line.split(": ")[0] + " " + line.split(": ")[1].split()[0] for line in lines] == [
        "d.md:1:1 absolute.zui", "d.md:4:6 diversion.wechat", "d.md:6:1 absolute.zui"]


def test_unused_suppressions_are_reported_as_info(project: Path) -> None:
    text = ("<!-- sanshen: ignore absolute.zui -->\n没有问题\n"
            "<!-- sanshen: ignore absolute.zui, diversion -->\n最好\n"
            "<!-- sanshen: disable efficacy -->\n平平无奇\n<!-- sanshen: enable efficacy -->\n"
            "<!-- sanshen: enable price -->\n")
    lines, code = _lint(project, "e.md", text)
    assert lines == [
        "e.md:1:1: sanshen.unused-suppression [info] unused suppression: no finding of absolute.zui on line 2",
        "e.md:3:1: sanshen.unused-suppression [info] unused suppression: no finding of diversion on line 4",
        "e.md:5:1: sanshen.unused-suppression [info] unused suppression: no finding of efficacy from line 6 to "
        "line 6",
        "e.md:8:1: sanshen.unused-suppression [info] `enable price` without a matching `disable`",
    ]
    assert code == 0  # info level: below the default --fail-on error
    assert run(["lint", "e.md", "--fail-on", "info"], project).returncode == 1
    out = run(["lint", "e.md", "--format", "json"], project)
    report = json.loads(out.stdout)[0]
    assert report["findings"] == [] and len(report["notices"]) == 4
    assert report["notices"][0] == {"rule": "sanshen.unused-suppression", "severity": "info", "line": 1,
                                    "column": 1, "message": "unused suppression: no finding of absolute.zui on "
                                                            "line 2"}
    # the notices are a rule like any other for --ignore
    assert run(["lint", "e.md", "--ignore", "sanshen", "--format", "json"], project).stdout.count("notices") == 0


def test_suppressed_findings_do_not_count(project: Path) -> None:
    (project / "f.md").write_text("<!-- sanshen: ignore efficacy.cure -->\n根治\n", encoding="utf-8")
    out = run(["lint", "f.md", "--format", "json"], project)
    report = json.loads(out.stdout)[0]
    assert out.returncode == 0
    assert (report["score"], report["verdict"], report["stage"]) == (0, "pass", "none")
