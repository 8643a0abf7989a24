"""`--format text|json|jsonl|sarif|github|html` and `--output`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from clitools import make_project, run, run_on_terminal

DATA = Path(__file__).parent / "data"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = make_project(tmp_path / "proj")
    (folder / "copy.md").write_text("标题\n这是全网最好的面霜，<b>全网最低价</b>\n第三行 加微信 咨询 修护\n",
                                    encoding="utf-8")
    (folder / "cat.jsonl").write_text(
        '{"id": "SKU-1", "title": "最好的面霜 根治失眠", "detail": "加微信有惊喜"}\n'
        '{"id": "SKU-2", "title": "普通面霜"}\n'
        '{"id": "SKU-3", "title": 5}\n', encoding="utf-8")
    return folder


def test_text_is_plain_when_piped_with_a_summary(project: Path) -> None:
    out = run(["lint", "copy.md", "cat.jsonl"], project)
    assert "\x1b[" not in out.stdout
    lines = out.stdout.splitlines()
    assert lines[0] == "copy.md:2:5: absolute.zui [error] [*] 绝对化用语「最好」 → 改用客观描述，如「品质出众」"
    assert "cat.jsonl:1: SKU-1 title[6:8]: efficacy.cure [critical] 疾病治疗功效「根治」 → 删除治疗功效用语" in lines
    assert "cat.jsonl:3: error: record SKU-3: key 'title': input should be a valid string" in lines
    assert "Found 7 findings in 2 of 3 listings (3 fixable with `sanshen lint --fix`)." in lines
    assert "  by family: absolute 3, diversion 2, efficacy 2" in lines
    assert "  by stage: ops 3, supervisor 2, legal 2" in lines
    assert "1 record could not be checked (see the error lines)." in lines


def test_text_is_highlighted_on_a_terminal(project: Path) -> None:
    returncode, output = run_on_terminal(["lint", "copy.md"], project, term="xterm-256color")
    screen = output.decode("utf-8")
    assert returncode == 1
    assert "\x1b[" in screen
    # the matched text is shown in reverse video inside the message
    assert "\x1b[7;31m最好\x1b[0m" in screen or "\x1b[31;7m最好\x1b[0m" in screen, repr(screen)


def test_json_and_jsonl(project: Path) -> None:
    lines = run(["lint", "cat.jsonl", "--format", "jsonl"], project).stdout.splitlines()
    array = json.loads(run(["lint", "cat.jsonl", "--format", "json"], project).stdout)
    assert [json.loads(line) for line in lines] == array
    assert array[0]["id"] == "SKU-1" and array[0]["verdict"] == "block" and array[0]["stage"] == "legal"
    assert {"rule", "family", "severity", "score", "field", "start", "end", "text", "message", "suggestion",
            "basis", "stage", "bbox"} == set(array[0]["findings"][0])
    assert array[2] == {"id": "SKU-3", "source": "cat.jsonl:3",
                        "error": "record SKU-3: key 'title': input should be a valid string"}


def test_sarif_validates_against_the_2_1_0_schema(project: Path) -> None:
    out = run(["lint", "copy.md", "cat.jsonl", "--format", "sarif"], project)
    assert out.returncode == 2  # SKU-3 is a bad record
    log = json.loads(out.stdout)
    # tests/data/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 schema (errata 01), vendored from
    # github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json at commit
    # a560296ca8c921f3bdb8d4a8db57ab83dae968a7.
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert {"absolute.zui", "absolute.diyi", "diversion.wechat", "efficacy.cure", "efficacy.mild"} <= set(ids)
    results = run_["results"]
    assert all("region" in r["locations"][0]["physicalLocation"] for r in results)
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    copy = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "copy.md")
    assert copy["locations"][0]["physicalLocation"]["region"] == {
        "charOffset": 7, "charLength": 2, "snippet": {"text": "最好"}, "startLine": 2, "startColumn": 5,
        "endLine": 2, "endColumn": 7}
    listing = next(r for r in results if r["properties"]["listing"] == "SKU-1" and r["ruleId"] == "efficacy.cure")
    assert listing["level"] == "error"
    assert listing["locations"][0]["logicalLocations"] == [{"name": "title", "kind": "member",
                                                            "fullyQualifiedName": "SKU-1/title"}]
    assert listing["locations"][0]["physicalLocation"]["region"] == {"charOffset": 6, "charLength": 2,
                                                                     "snippet": {"text": "根治"}}
    assert listing["properties"]["line"] == 1
    info = next(r for r in results if r["ruleId"] == "efficacy.mild")
    assert info["level"] == "note"
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "record SKU-3: key 'title'" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_github_annotations(project: Path) -> None:
    out = run(["lint", "copy.md", "cat.jsonl", "--format", "github"], project)
    lines = out.stdout.splitlines()
    assert ("::error file=copy.md,line=2,col=5,endLine=2,endColumn=7,title=absolute.zui::"
            "绝对化用语「最好」 → 改用客观描述，如「品质出众」") in lines
    assert any(line.startswith("::notice file=copy.md,line=3,col=") and "title=efficacy.mild" in line
               for line in lines)
    assert any(line.startswith("::error file=cat.jsonl,line=1,title=efficacy.cure (SKU-1 title)::") for line in lines)
    assert any(line.startswith("::error file=cat.jsonl,line=3,title=sanshen%3A input error::") for line in lines)
    (project / "warn.md").write_text("第一品牌\n", encoding="utf-8")
    warn = run(["lint", "warn.md", "--format", "github"], project).stdout
    assert warn.startswith("::warning file=warn.md,line=1,col=1,")


def test_html_report_is_self_contained_grouped_and_escaped(project: Path) -> None:
    (project / "xss.jsonl").write_text(
        json.dumps({"id": "<img src=x onerror=alert(1)>", "title": "<script>alert(1)</script>最好 & 根治"}) + "\n",
        encoding="utf-8")
    out = run(["lint", "copy.md", "cat.jsonl", "xss.jsonl", "--format", "html"], project)
    page = out.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<img" not in page  # listing text is escaped, and there are no scripts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>最好</mark> &amp; 根治" in page
    for needle in ("http://", "https://", "<link", "@import", "url("):
        assert needle not in page  # no network assets
    ops, supervisor, legal = (page.index(f'id="stage-{s}"') for s in ("ops", "supervisor", "legal"))
    assert ops < supervisor < legal
    assert page.index("efficacy.cure") > legal  # critical efficacy findings route to legal
    assert "《广告法》第十七条" in page and "删除治疗功效用语" in page  # basis and suggestion
    assert "score 100" in page and "拦截 block" in page
    assert 'id="errors"' in page and "record SKU-3: key &#x27;title&#x27;" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or (("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"),
                    reason="chromium is not installed (CI installs it and always runs this test)")
def test_html_report_renders_in_headless_chromium(project: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    assert chromium is not None, "CI must have chromium (apt-get install chromium fonts-noto-cjk)"
    report = project / "report.html"
    out = run(["lint", "copy.md", "cat.jsonl", "-o", str(report)], project)
    assert out.returncode == 2 and out.stdout == ""
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--screenshot={shot}",
                    "--window-size=1200,1600", report.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.is_file()
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 20_000  # a blank 1200x1600 page compresses to a few KB; the report does not
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # text, badges and highlights, not a blank page


def test_output_file_picks_format_by_extension(project: Path) -> None:
    out = run(["lint", "cat.jsonl", "-o", "out.sarif"], project)
    assert out.stdout == ""
    assert json.loads((project / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    run(["lint", "cat.jsonl", "-o", "out.txt"], project)
    assert "SKU-1 title[0:2]: absolute.zui" in (project / "out.txt").read_text(encoding="utf-8")
