"""`sanshen lint --fix` / `--diff`: safe replacements from the rules' `fix` maps, keyed by the
normalized matched text; HTML tags, encoding and line endings are left as they were."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from clitools import make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def test_fix_rewrites_and_the_file_lints_clean_of_fixed_rules(project: Path) -> None:
    path = project / "ad.md"
    path.write_text("# 新品\n全网最好的面霜，全网最低价！\n第一品牌 加微信：abc\n根治痘痘\n", encoding="utf-8")
    out = run(["lint", "ad.md", "--fix"], project)
    assert path.read_text(encoding="utf-8") == "# 新品\n全网优质的面霜，超值价！\n广受欢迎的品牌 ：abc\n根治痘痘\n"
    assert "sanshen: fixed 4 findings in 1 file" in out.stderr
    # what has no safe fix stays a finding, and decides the exit code
    assert out.returncode == 1 and "ad.md:4:1: efficacy.cure" in out.stdout
    again = run(["lint", "ad.md", "--select", "absolute,diversion"], project)
    assert again.returncode == 0 and "All clean" in again.stdout


def test_fix_uses_the_normalized_form_of_the_hit(project: Path) -> None:
    path = project / "ad.txt"
    path.write_text("最 好的选择，最　好！\n", encoding="utf-8")  # a space and an ideographic space inside
    run(["lint", "ad.txt", "--fix"], project)
    assert path.read_text(encoding="utf-8") == "优质的选择，优质！\n"


def test_fix_never_touches_html_tags(project: Path) -> None:
    path = project / "page.html"
    original = '<p class="最好">最<b>好</b>的面霜</p>\n<p>全网最低价</p>\n'
    path.write_text(original, encoding="utf-8")
    out = run(["lint", "page.html", "--fix"], project)
    assert path.read_text(encoding="utf-8") == '<p class="最好">最<b>好</b>的面霜</p>\n<p>超值价</p>\n'
    assert out.returncode == 1 and "page.html:1:15: absolute.zui [error] 绝对化用语「最<b>好」" in out.stdout


def test_fix_keeps_encoding_bom_and_line_endings(project: Path) -> None:
    crlf = project / "crlf.txt"
    crlf.write_bytes(codecs.BOM_UTF8 + "第一行\r\n最好\r\n".encode("utf-8"))
    utf16 = project / "u16.txt"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "最好\n".encode("utf-16-le"))
    run(["lint", "crlf.txt", "u16.txt", "--fix"], project)
    assert crlf.read_bytes() == codecs.BOM_UTF8 + "第一行\r\n优质\r\n".encode("utf-8")
    assert utf16.read_bytes() == codecs.BOM_UTF16_LE + "优质\n".encode("utf-16-le")


def test_fix_respects_suppressions_and_select(project: Path) -> None:
    path = project / "s.md"
    path.write_text("<!-- sanshen: ignore absolute -->\n最好\n最好 加微信\n", encoding="utf-8")
    run(["lint", "s.md", "--fix", "--ignore", "diversion"], project)
    assert path.read_text(encoding="utf-8") == "<!-- sanshen: ignore absolute -->\n最好\n优质 加微信\n"


def test_diff_prints_without_writing(project: Path) -> None:
    path = project / "ad.md"
    path.write_text("标题\n最好的面霜\n没有问题\n", encoding="utf-8")
    out = run(["lint", "ad.md", "--diff"], project)
    assert out.returncode == 1
    assert out.stdout == ("--- a/ad.md\n+++ b/ad.md\n@@ -1,3 +1,3 @@\n 标题\n-最好的面霜\n+优质的面霜\n 没有问题\n")
    assert "sanshen: would fix 1 finding in 1 file" in out.stderr
    assert path.read_text(encoding="utf-8") == "标题\n最好的面霜\n没有问题\n"
    (project / "clean.md").write_text("温和\n", encoding="utf-8")
    clean = run(["lint", "clean.md", "--diff"], project)
    assert clean.returncode == 0 and clean.stdout == ""


def test_diff_reads_stdin_but_fix_cannot_write_it(project: Path) -> None:
    out = run(["lint", "-", "--diff"], project, stdin="最好\n")
    assert out.stdout == "--- a/-\n+++ b/-\n@@ -1 +1 @@\n-最好\n+优质\n"
    out = run(["lint", "-", "--fix"], project, stdin="最好\n")
    assert out.returncode == 2 and "--fix cannot rewrite stdin" in out.stderr


def test_listings_are_never_rewritten(project: Path) -> None:
    catalog = project / "cat.jsonl"
    catalog.write_text('{"id": "A", "title": "最好"}\n', encoding="utf-8")
    out = run(["lint", "cat.jsonl", "--fix"], project)
    assert catalog.read_text(encoding="utf-8") == '{"id": "A", "title": "最好"}\n'
    assert out.returncode == 1
