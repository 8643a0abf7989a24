"""`sanshen scan CATALOG`: streaming in input order, --jobs N with identical output, a progress bar
only on a terminal, a summary on stderr, error records in place, --output jsonl or parquet."""
from __future__ import annotations

import json
import select
import subprocess
import time
from pathlib import Path

import pytest
from clitools import make_project, run, run_on_terminal, sanshen_bin

WORDS = ["最好", "根治", "加微信", "普通", "面霜", "全网最低价", "修护", "第一品牌", "温和", "第一眼"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = make_project(tmp_path / "proj")
    lines = []
    for i in range(400):
        title = "".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(4))
        lines.append(json.dumps({"id": f"S{i:04d}", "title": title, "detail": WORDS[i % len(WORDS)]},
                                ensure_ascii=False))
    lines[57] = '{"id": "S0057", "title": '  # malformed
    lines[211] = json.dumps({"id": "S0211", "category": "toys"})  # wrong value
    (folder / "cat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_one_report_per_record_in_input_order_with_error_records_in_place(project: Path) -> None:
    out = run(["scan", "cat.jsonl"], project)
    assert out.returncode == 2  # bad records make the scan exit 2
    reports = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in reports] == [f"S{i:04d}" if i != 57 else "cat.jsonl:58" for i in range(400)]
    assert "invalid JSON" in reports[57]["error"]
    assert reports[211]["error"].startswith("record S0211: key 'category': input should be")
    assert sum("error" in r for r in reports) == 2


def test_jobs_give_identical_output(project: Path) -> None:
    one = run(["scan", "cat.jsonl", "--jobs", "1"], project)
    three = run(["scan", "cat.jsonl", "--jobs", "3"], project)
    assert one.stdout == three.stdout and one.returncode == three.returncode == 2
    text_one = run(["scan", "cat.jsonl", "--format", "text"], project).stdout
    assert text_one == run(["scan", "cat.jsonl", "--format", "text", "-j", "2"], project).stdout


def test_exit_code_by_fail_on_when_no_record_is_bad(project: Path) -> None:
    (project / "ok.jsonl").write_text('{"id": "a", "title": "第一品牌"}\n{"id": "b", "title": "温和"}\n',
                                      encoding="utf-8")
    assert run(["scan", "ok.jsonl"], project).returncode == 0
    assert run(["scan", "ok.jsonl", "--fail-on", "warning"], project).returncode == 1


def test_summary_on_stderr_and_no_progress_bar_when_piped(project: Path) -> None:
    out = run(["scan", "cat.jsonl", "-j", "2"], project)
    lines = out.stderr.splitlines()
    summary = next(line for line in lines if line.startswith("sanshen scan: "))
    assert summary.startswith("sanshen scan: 400 records in ") and "listings/s), 2 error records" in summary
    assert any(line.startswith("  by family: ") and "absolute" in line for line in lines)
    assert any(line.startswith("  by stage: ops ") for line in lines)
    assert "sanshen: error: cat.jsonl:58: invalid JSON" in out.stderr
    assert "\x1b[" not in out.stderr and "ETA" not in out.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_bar_with_rate_and_eta_on_a_terminal(project: Path, jobs: str) -> None:
    _, output = run_on_terminal(["scan", "cat.jsonl", "-o", "out.jsonl", "--jobs", jobs], project, stdout_too=False)
    screen = output.decode("utf-8", "replace")
    assert "400/400" in screen and "listings/s" in screen and "ETA" in screen
    assert "sanshen scan: 400 records" in screen
    assert len((project / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 400


def test_streams_records_as_they_arrive(project: Path) -> None:
    proc = subprocess.Popen([sanshen_bin(), "scan", "-"], cwd=project, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write('{"id": "first", "title": "最好"}\n'.encode("utf-8"))
        proc.stdin.flush()
        # the first report arrives while stdin is still open
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no report before the end of input: the scan does not stream"
        assert json.loads(proc.stdout.readline())["id"] == "first"
        proc.stdin.write(b'{"id": "second", "title": "ok"}\n')
        proc.stdin.close()
        assert json.loads(proc.stdout.readline())["id"] == "second"
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == 1


def test_output_jsonl_and_parquet(project: Path) -> None:
    reference = run(["scan", "cat.jsonl"], project).stdout
    out = run(["scan", "cat.jsonl", "--output", "reports.jsonl", "-j", "2"], project)
    assert out.stdout == "" and (project / "reports.jsonl").read_text(encoding="utf-8") == reference
    start = time.perf_counter()
    run(["scan", "cat.jsonl", "--output", "reports.parquet"], project)
    assert time.perf_counter() - start < 60
    import pyarrow.parquet as pq

    rows = pq.read_table(project / "reports.parquet").to_pylist()
    expected = [json.loads(line) for line in reference.splitlines()]
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    for row, want in zip(rows, expected):
        if "error" in want:
            assert row["error"] == want["error"] and row["findings"] is None
        else:
            assert row["error"] is None and row["score"] == want["score"] and row["verdict"] == want["verdict"]
            assert row["findings"] == want["findings"]
    assert rows[0]["source"] == "cat.jsonl:1"


def test_scan_reads_every_catalog_kind(project: Path) -> None:
    (project / "c.csv").write_text("id,title\nR1,最好\nR2,温和\n", encoding="utf-8")
    out = run(["scan", "c.csv", "-j", "2"], project)
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == ["R1", "R2"]
    missing = run(["scan", "nothing.jsonl"], project)
    assert missing.returncode == 2 and json.loads(missing.stdout) == {"id": "nothing.jsonl", "source": "nothing.jsonl",
                                                                      "error": "no such file"}


def test_jobs_html_report_still_shows_the_fields(project: Path, tmp_path: Path) -> None:
    """With --jobs the workers parse the JSON lines; the HTML report, which shows each field, must
    still get them."""
    catalog = project / "jobs-html.jsonl"
    catalog.write_text("\n".join(json.dumps({"id": f"H{i}", "title": f"全网最低价 款式{i}"}, ensure_ascii=False)
                                 for i in range(80)) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.html", tmp_path / "two.html"
    for out, jobs in ((one, "1"), (two, "2")):
        subprocess.run([sanshen_bin(), "scan", str(catalog), "--jobs", jobs, "--output", str(out)],
                       cwd=project, capture_output=True, check=False)
    assert "款式79" in two.read_text(encoding="utf-8")
    assert one.read_text(encoding="utf-8").count("全网最低价") == two.read_text(encoding="utf-8").count("全网最低价")


def test_jobs_parse_odd_lines_like_one_process(project: Path) -> None:
    """Workers parse the lines themselves: a BOM, blank and whitespace-only lines, bad UTF-8 and a
    JSON array line come out exactly as without workers."""
    lines = [b"\xef\xbb\xbf" + json.dumps({"id": "A", "title": "最好"}).encode(), b"", "\u3000\u3000".encode(),
             b'{"id": "B", "title": "\xff\xfe"}', b"[1, 2]", json.dumps({"id": "C", "title": "温和"}).encode()]
    (project / "odd.jsonl").write_bytes(b"\n".join(lines * 30) + b"\n")
    one = run(["scan", "odd.jsonl", "--jobs", "1"], project)
    two = run(["scan", "odd.jsonl", "--jobs", "2"], project)
    assert one.stdout == two.stdout and one.returncode == two.returncode == 2
    reports = [json.loads(line) for line in one.stdout.splitlines()]
    assert len(reports) == 4 * 30 and "not UTF-8" in reports[1]["error"]
