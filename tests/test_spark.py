"""linter.spark on a real local Spark session (local[2], the machine's Java): the same reports as the
single-process scan, record for record, error records included, for JSONL and Parquet catalogs split
across many partitions. Skipped only where pyspark is missing and CI is unset; CI must run it."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

if importlib.util.find_spec("pyspark") is None and not os.environ.get("CI"):
    pytest.skip('pyspark is not installed (pip install "sanshen[spark]")', allow_module_level=True)

from clitools import make_project, run  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from linter import Linter, load_config  # noqa: E402
from linter.spark import lint_dataframe, read_catalog, scan_to_jsonl  # noqa: E402

WORDS = ["最好", "根治", "加微信", "普通", "面霜", "全网最低价", "修护", "第一品牌", "温和", "第一眼"]
BAD_LINES = {
    57: '{"id": "S0057", "title": ',  # malformed JSON
    90: "[1, 2]",  # not an object
    211: json.dumps({"id": "S0211", "category": "toys"}),  # a value the schema refuses
    # a bad value deep inside a nested object: only exact nested structures give the same error
    260: json.dumps({"id": "S0260", "title": "最好", "price": {"current": 9, "history": [{"date": "2025-13-01",
                                                                                          "price": 5}]}}),
}


def _listing(i: int) -> dict[str, Any]:
    title = "".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(4))
    listing: dict[str, Any] = {"id": f"S{i:04d}", "title": title, "detail": f"<p>{WORDS[i % len(WORDS)]}</p>"}
    if i % 5 == 0:
        listing["price"] = {"current": 19.9, "original": 39.0, "history": [{"date": "2025-11-01", "price": 29.0}]}
        listing["shop"] = {"name": "店", "tags": ["a", "b"]}  # unknown, nested: kept and ignored
    return listing


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)  # workers run this venv's Python
        session = (SparkSession.builder.master("local[2]").appName("sanshen-test")
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   # tiny file splits: the 40 kB catalog spans about ten partitions, so order matters
                   .config("spark.sql.files.maxPartitionBytes", "4096")
                   .config("spark.sql.shuffle.partitions", "4")
                   .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("spark") / "proj")
    lines = [json.dumps(_listing(i), ensure_ascii=False) for i in range(400)]
    for index, line in BAD_LINES.items():
        lines[index] = line
    lines[120] = ""  # a blank line: no record in either scan
    lines[121] += "\r"  # a CRLF line
    (folder / "cat.jsonl").write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))
    return folder


def _single_process(project: Path, catalog: str) -> list[str]:
    out = run(["scan", catalog, "--format", "jsonl"], project)
    assert out.returncode == 2, out.stderr  # bad records make the scan exit 2
    return out.stdout.splitlines()


def test_scan_to_jsonl_equals_the_single_process_scan(spark: SparkSession, project: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _single_process(project, "cat.jsonl")
    monkeypatch.chdir(project)  # same relative path, so the same `source` labels (cat.jsonl:58)
    summary = scan_to_jsonl("cat.jsonl", project / "spark.jsonl")
    got = (project / "spark.jsonl").read_text(encoding="utf-8").splitlines()
    assert got == expected
    assert len(got) == 399 and summary.records == 399
    errors = [report for report in map(json.loads, got) if "error" in report]
    assert summary.errors == len(errors) == 4
    assert errors[0]["id"] == "cat.jsonl:58" and "invalid JSON" in errors[0]["error"]
    assert "price.history[0].date" in errors[-1]["error"]
    assert summary.worst == "critical"


def test_lint_dataframe_equals_linter_check_record_for_record(spark: SparkSession, project: Path) -> None:
    config = project / "rules.toml"
    linter = Linter(load_config(config), ocr="none")
    rows = lint_dataframe(read_catalog(spark, project / "cat.jsonl"), config_path=config).orderBy("_row").collect()
    assert len(rows) == 399
    lines = [line for line in (project / "cat.jsonl").read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    for row, line in zip(rows, lines):
        got = row.asDict(recursive=True)
        try:
            listing = json.loads(line)
            expected = linter.check(listing).to_dict() if isinstance(listing, dict) else None
        except Exception:  # noqa: BLE001 - the records the scan turns into error records
            expected = None
        if expected is None:
            assert got["error"] and got["findings"] is None, got
            continue
        assert got["error"] is None, got
        assert {key: got[key] for key in expected} == expected


def test_explode_gives_one_row_per_finding_and_keeps_error_records(spark: SparkSession, project: Path) -> None:
    frame = read_catalog(spark, project / "cat.jsonl")
    config = project / "rules.toml"
    reports = lint_dataframe(frame, config_path=config).collect()
    exploded = lint_dataframe(frame, config_path=config, explode=True).collect()
    findings = sum(len(r.findings or ()) for r in reports)
    assert findings > 100
    assert sum(r.rule is not None for r in exploded) == findings
    assert sum(r.error is not None for r in exploded) == 4
    assert {"rule", "start", "end", "text", "listing_score", "source"} <= set(exploded[0].asDict())


def test_parquet_catalog_equals_the_single_process_scan(spark: SparkSession, project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # pyarrow takes the columns from the first row: give it every key the others use
    rows = [{"category": "general", **_listing(i)} for i in range(300)]
    rows[40]["category"] = "toys"
    pq.write_table(pa.Table.from_pylist(rows), project / "cat.parquet", row_group_size=50)
    expected = _single_process(project, "cat.parquet")
    monkeypatch.chdir(project)
    summary = scan_to_jsonl("cat.parquet", project / "spark-parquet.jsonl")
    assert (project / "spark-parquet.jsonl").read_text(encoding="utf-8").splitlines() == expected
    assert summary.records == 300 and summary.errors == 1


def test_a_dataframe_of_listing_columns(spark: SparkSession, project: Path) -> None:
    listings = [_listing(i) for i in range(30)]
    frame = spark.createDataFrame([(item["id"], item["title"], item["detail"]) for item in listings],
                                  "id string, title string, detail string")
    config = project / "rules.toml"
    linter = Linter(load_config(config), ocr="none")
    rows = lint_dataframe(frame, config_path=config).orderBy("_row").collect()
    for row, item in zip(rows, listings):
        expected = linter.check({"id": item["id"], "title": item["title"], "detail": item["detail"]}).to_dict()
        assert {key: row.asDict(recursive=True)[key] for key in expected} == expected


def test_cli_scan_engine_spark_equals_local(tmp_path: Path) -> None:
    """`sanshen scan --engine spark` writes what the local scan writes, with the same exit code."""
    catalog = tmp_path / "cat.jsonl"
    catalog.write_text((Path(__file__).resolve().parents[1] / "examples" / "catalog.jsonl").read_text(encoding="utf-8")
                       .replace('"images": [{"path": "img/SKU-1025.png"}]', '"images": []'), encoding="utf-8")
    sanshen = str(Path(sys.executable).parent / "sanshen")
    local = subprocess.run([sanshen, "scan", str(catalog)], capture_output=True)
    spark = subprocess.run([sanshen, "scan", str(catalog), "--engine", "spark"], capture_output=True,
                           env={**os.environ, "PYSPARK_PYTHON": sys.executable})
    assert spark.stdout == local.stdout
    assert spark.returncode == local.returncode == 2  # the catalog's one bad record
    assert b"Traceback" not in spark.stderr
