"""`sanshen lint` inputs: every file kind, folders and --exclude, stdin, and bad input of every kind
(one clear line naming file, record and key; exit 2; the rest of the batch still runs)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from clitools import make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def _reports(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_json_listing_and_list_of_listings(project: Path) -> None:
    (project / "one.json").write_text(json.dumps({"id": "SKU-1", "title": "全网最好的面霜"}), encoding="utf-8")
    (project / "many.json").write_text(json.dumps([{"id": "A", "title": "最佳"}, {"id": "B", "title": "普通"}]),
                                       encoding="utf-8")
    out = run(["lint", "one.json", "many.json", "--format", "jsonl"], project)
    assert out.returncode == 1
    reports = _reports(out.stdout)
    assert [r["id"] for r in reports] == ["SKU-1", "A", "B"]
    finding = reports[0]["findings"][0]
    assert (finding["rule"], finding["field"], finding["start"], finding["end"], finding["text"]) == \
        ("absolute.zui", "title", 2, 4, "最好")


def test_jsonl_catalog_reports_line_numbers(project: Path) -> None:
    (project / "cat.jsonl").write_text('{"id": "S1", "title": "最好"}\n\n{"id": "S2", "detail": "加微信"}\n',
                                       encoding="utf-8")
    out = run(["lint", "cat.jsonl"], project)
    assert out.returncode == 1
    assert "cat.jsonl:1: S1 title[0:2]: absolute.zui [error]" in out.stdout
    assert "cat.jsonl:3: S2 detail[0:3]: diversion.wechat [error]" in out.stdout


def test_csv_columns_map_to_listing_keys(project: Path) -> None:
    (project / "cat.csv").write_text(
        "id,title,category,images,evidence,price.current,price.original,note\n"
        "C1,最好的乳液,cosmetics,a.png; b.png|c.png,organic_cert;ccc_cert,99,199,unknown keys are kept\n"
        '"C2","多行\n标题 根治",,,"{""organic_cert"": ""x""}",,,\n', encoding="utf-8")
    out = run(["lint", "cat.csv", "--format", "jsonl", "--ocr", "none"], project)
    reports = _reports(out.stdout)
    assert [r["id"] for r in reports] == ["C1", "C2"]
    assert reports[0]["findings"][0]["rule"] == "absolute.zui"
    assert reports[1]["findings"][0]["rule"] == "efficacy.cure"
    assert out.returncode == 1
    # the record of a quoted multi-line cell is reported at the line it starts on
    text = run(["lint", "cat.csv", "--ocr", "none"], project).stdout
    assert "cat.csv:2: C1 title[0:2]" in text and "cat.csv:3: C2 title[6:8]" in text


def test_csv_json_cells_and_images_are_parsed(project: Path) -> None:
    (project / "p.csv").write_text(
        'id,title,price,images\nP1,ok,"{""current"": 5, ""original"": ""x""}",\nP2,ok,,"[{""data"": ""!!""}]"\n',
        encoding="utf-8")
    out = run(["lint", "p.csv", "--format", "jsonl", "--ocr", "none"], project)
    assert out.returncode == 2
    first, second = _reports(out.stdout)
    # the JSON cell was parsed, so the error names the nested key
    assert first["id"] == "P1" and "key 'price.original'" in first["error"]
    assert second["id"] == "P2" and second["findings"] == []  # images are not read with --ocr none


def test_xlsx_catalog(project: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "detail", "images"])
    sheet.append([10023, "全网最低价", None, "x.png|y.png"])
    sheet.append([None, None, None, None])
    sheet.append(["X2", "普通", "加微信", None])
    book.save(project / "cat.xlsx")
    out = run(["lint", "cat.xlsx", "--format", "jsonl", "--ocr", "none"], project)
    reports = _reports(out.stdout)
    assert [r["id"] for r in reports] == ["10023", "X2"]  # a numeric id cell is still a string id
    assert reports[0]["findings"][0]["text"] == "全网最低价"
    assert reports[1]["findings"][0]["rule"] == "diversion.wechat"
    text = run(["lint", "cat.xlsx", "--ocr", "none"], project).stdout
    assert "cat.xlsx:2: 10023 title[0:5]" in text and "cat.xlsx:4: X2 detail[0:3]" in text


def test_parquet_catalog(project: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": f"Q{i}", "title": "最好" if i % 2 else "普通", "price": {"current": 10.0, "original": None}}
            for i in range(2500)]
    pq.write_table(pa.Table.from_pylist(rows), project / "cat.parquet", row_group_size=700)
    out = run(["lint", "cat.parquet", "--format", "jsonl"], project)
    reports = _reports(out.stdout)
    assert [r["id"] for r in reports] == [f"Q{i}" for i in range(2500)]
    assert sum(bool(r["findings"]) for r in reports) == 1250
    assert out.returncode == 1


def test_plain_copy_line_and_column(project: Path) -> None:
    (project / "a.txt").write_text("第一行\n这是全网最好的面霜\n", encoding="utf-8")
    (project / "b.md").write_bytes("# 标题\r\n\r\n欢迎 加微信 咨询\r\n".encode("utf-8"))
    (project / "c.html").write_text("<p>第一眼就爱上</p>\n<p>最<b>好</b>的选择</p>\n", encoding="utf-8")
    out = run(["lint", "a.txt", "b.md", "c.html"], project)
    assert out.returncode == 1
    assert "a.txt:2:5: absolute.zui [error]" in out.stdout
    assert "b.md:3:4: diversion.wechat [error]" in out.stdout  # CRLF line endings count as one line break
    assert "c.html:2:4: absolute.zui [error]" in out.stdout  # the hit spans the tags
    assert "第一眼" not in out.stdout


def test_folders_are_walked_with_excludes(project: Path) -> None:
    copy = project / "copy"
    (copy / "drafts").mkdir(parents=True)
    (copy / ".hidden").mkdir()
    (copy / "sub").mkdir()
    (copy / "a.md").write_text("最好\n", encoding="utf-8")
    (copy / "sub" / "b.txt").write_text("最佳\n", encoding="utf-8")
    (copy / "sub" / "c.html").write_text("<p>最好</p>\n", encoding="utf-8")
    (copy / "drafts" / "d.md").write_text("最好\n", encoding="utf-8")
    (copy / ".hidden" / "e.md").write_text("最好\n", encoding="utf-8")
    (copy / "notes.docx").write_bytes(b"PK\x03\x04 binary")  # unknown type inside a folder: not read
    out = run(["lint", "copy", "--exclude", "drafts", "--exclude", "*.html"], project)
    assert out.returncode == 1, out.stderr
    linted = {line.split(":")[0] for line in out.stdout.splitlines() if "absolute.zui" in line}
    assert linted == {"copy/a.md", "copy/sub/b.txt"}
    everything = run(["lint", "copy"], project)
    linted = {line.split(":")[0] for line in everything.stdout.splitlines() if "absolute.zui" in line}
    assert linted == {"copy/a.md", "copy/sub/b.txt", "copy/sub/c.html", "copy/drafts/d.md"}


def test_stdin_listing_jsonl_and_copy(project: Path) -> None:
    out = run(["lint", "-", "--format", "jsonl"], project, stdin='{"id": "IN", "title": "最好"}')
    assert _reports(out.stdout)[0]["id"] == "IN"
    out = run(["lint", "-", "--format", "jsonl"], project,
              stdin='{"id": "L1", "title": "最好"}\n{"id": "L2", "title": "ok"}\n')
    assert [r["id"] for r in _reports(out.stdout)] == ["L1", "L2"]
    out = run(["lint", "-"], project, stdin="第一行\n全网最低价\n")
    assert "-:2:1: absolute.zui" in out.stdout and out.returncode == 1


def test_every_kind_of_bad_input_is_one_line_and_the_batch_goes_on(project: Path) -> None:
    (project / "good.md").write_text("全网最低价\n", encoding="utf-8")
    (project / "gbk.txt").write_bytes("全网最低价".encode("gbk"))
    (project / "notes.docx").write_bytes(b"PK")
    (project / "cat.jsonl").write_bytes(b'{"id": "J1", "title": "ok"}\n{"id": "J2", "title": \n'
                                        b'{"id": "J3", "title": 5}\n[1, 2]\n{"id": "J5", "title": "\xff\xfe"}\n'
                                        b'{"id": "J6", "title": "\xe6\x9c\x80\xe5\xa5\xbd"}\n')
    (project / "broken.xlsx").write_bytes(b"not a zip")
    (project / "broken.parquet").write_bytes(b"not parquet")
    (project / "wrong.json").write_text('{"id": "W1", "kind": "tweet"}', encoding="utf-8")
    args = ["lint", "good.md", "missing.md", "gbk.txt", "notes.docx", "cat.jsonl", "broken.xlsx", "broken.parquet",
            "wrong.json"]
    out = run(args, project)
    assert out.returncode == 2
    errors = [line for line in out.stdout.splitlines() if ": error: " in line]
    expected = [
        ("missing.md: error: ", "no such file"),
        ("gbk.txt: error: ", "not UTF-8 text"),
        ("notes.docx: error: ", "unknown file type '.docx'"),
        ("cat.jsonl:2: error: ", "invalid JSON"),
        ("cat.jsonl:3: error: ", "record J3: key 'title': input should be a valid string"),
        ("cat.jsonl:4: error: ", "must be a JSON object, not list"),
        ("cat.jsonl:5: error: ", "not UTF-8 text"),
        ("broken.xlsx: error: ", "not an .xlsx workbook"),
        ("broken.parquet: error: ", "not a Parquet file"),
        ("wrong.json: error: ", "record W1: key 'kind': input should be 'listing'"),
    ]
    assert len(errors) == len(expected), out.stdout
    for line, (start, part) in zip(errors, expected):
        assert line.startswith(start) and part in line, line
    # the good files and records around the bad ones were still linted
    assert "good.md:1:1: absolute.zui" in out.stdout
    assert "cat.jsonl:6: J6 title[0:2]: absolute.zui" in out.stdout
    # machine formats keep an error record in place and say it on stderr too
    out = run(["lint", "cat.jsonl", "--format", "jsonl"], project)
    reports = _reports(out.stdout)
    assert [r["id"] for r in reports] == ["J1", "cat.jsonl:2", "J3", "cat.jsonl:4", "cat.jsonl:5", "J6"]
    assert reports[2] == {"id": "J3", "source": "cat.jsonl:3",
                          "error": "record J3: key 'title': input should be a valid string"}
    assert "sanshen: error: cat.jsonl:3: record J3: key 'title'" in out.stderr


def test_bad_config_names_file_and_key(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", extra="[verdict]\nblock_score = \"high\"\n")
    (project / "a.md").write_text("最好\n", encoding="utf-8")
    out = run(["lint", "a.md"], project)
    assert out.returncode == 2
    assert "rules.toml: key 'verdict.block_score': has the wrong type str" in out.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[packs\n", encoding="utf-8")
    out = run(["lint", "a.md", "--config", str(bad)], project)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith(f"sanshen: error: {bad}: invalid TOML")
    assert len(out.stderr.strip().splitlines()) == 1
