"""Lint catalogs on Spark with the same engine as `sanshen scan`: one Linter per executor Python process.

    from linter.spark import lint_dataframe, read_catalog
    reports = lint_dataframe(read_catalog(spark, "catalog.jsonl"))   # lazy; one row per listing
    reports.write.parquet("reports.parquet")

`scan_to_jsonl(catalog, output)` is what `sanshen scan --engine spark` runs: the same JSON lines as
the single-process scan, in input order, error records included. Needs `pip install "sanshen[spark]"`.

Records are read exactly as the single-process readers read them: a JSONL line travels to the Python
worker as text and is parsed there (nested price, evidence and unknown keys survive untouched); a
Parquet row is converted with the same code as `sanshen scan x.parquet`. One difference remains:
Spark decodes JSONL as UTF-8 with replacement characters, so a line with invalid UTF-8 is checked
with U+FFFD in it instead of becoming an encoding error record.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, Iterator
from urllib.parse import unquote, urlparse

import orjson
import pyarrow as pa

from ._config import Config, find_user_config, load_config
from ._engine import Linter
from ._errors import SanshenError
from ._inputs import Record, _failed, _json_record, _row_record
from ._results import Result
from ._scan import check_record
from ._score import SEVERITY_RANK

try:
    from pyspark import StorageLevel
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise SanshenError('linter.spark needs pyspark: pip install "sanshen[spark]"') from exc

# Columns read_catalog adds: input order over the whole catalog, the file label, and the 1-based line
# (JSONL) or 0-based row index (Parquet) inside that file: the `source` of `sanshen scan`.
ROW, FILE, LINE = "_row", "_file", "_line"
JSON_TEXT = "_json"  # a JSONL line, parsed in the Python worker
_JSONL, _WORST = "_jsonl", "_worst"  # internal: the scan's output line, the worst finding's rank

# The report as a row; the same columns as `sanshen scan --output reports.parquet`.
FINDING_FIELDS = (("rule", "str"), ("family", "str"), ("severity", "str"), ("score", "int"), ("field", "str"),
                  ("start", "int"), ("end", "int"), ("text", "str"), ("message", "str"), ("suggestion", "str"),
                  ("basis", "str"), ("stage", "str"), ("bbox", "ints"))
REPORT_FIELDS = (("id", "str"), ("source", "str"), ("score", "int"), ("verdict", "str"), ("stage", "str"),
                 ("rules_version", "str"), ("findings", "findings"), ("error", "str"), (ROW, "long"))


_ARROW = {"str": pa.string(), "int": pa.int32(), "long": pa.int64(), "ints": pa.list_(pa.int32())}
_SPARK = {"str": T.StringType(), "int": T.IntegerType(), "long": T.LongType(), "ints": T.ArrayType(T.IntegerType())}


def _arrow_type(kind: str) -> pa.DataType:
    if kind == "findings":
        return pa.list_(pa.struct([(n, _arrow_type(k)) for n, k in FINDING_FIELDS]))
    return _ARROW[kind]


def _spark_type(kind: str) -> T.DataType:
    if kind == "findings":
        return T.ArrayType(T.StructType([T.StructField(n, _spark_type(k)) for n, k in FINDING_FIELDS]))
    return _SPARK[kind]


def _fields(for_scan: bool) -> tuple[tuple[str, str], ...]:
    return REPORT_FIELDS + (((_JSONL, "str"), (_WORST, "int")) if for_scan else ())


# ---- reading ------------------------------------------------------------------------------------


def read_catalog(spark: SparkSession, path: str | Path) -> DataFrame:
    """A catalog as a DataFrame with its input order: JSONL (each line as text in `_json`) or Parquet
    (its own columns). Adds `_row` (0-based position in the whole catalog), `_file` and `_line`."""
    name = str(path)
    suffix = Path(name.rstrip("/")).suffix.lower()
    # a local path is relative to this process's folder, as for the CLI, not to the JVM's
    location = name if "://" in name else str(Path(name).resolve())
    if suffix in (".jsonl", ".ndjson"):
        # split on \n only, as the single-process reader does (a \r before it stays and is whitespace)
        frame = spark.read.option("lineSep", "\n").text(location).withColumnRenamed("value", JSON_TEXT)
        first_line = 1
    elif suffix == ".parquet":
        frame = spark.read.parquet(location)
        first_line = 0
    else:
        raise SanshenError(f"{name}: Spark reads .jsonl, .ndjson and .parquet catalogs")
    return _positions(spark, frame, name, first_line)


def _positions(spark: SparkSession, frame: DataFrame, name: str, first_line: int) -> DataFrame:
    """Add _row/_file/_line without moving data: Spark reads each file split in order, so a row's
    place is its split's base plus its offset inside the split. One small job counts the rows of each
    split (a scan without Python); the bases are then joined back as a broadcast table."""
    mid, path, block = "_sanshen_mid", "_sanshen_path", "_sanshen_block"
    frame = frame.select("*", F.col("_metadata.file_path").alias(path),
                         F.col("_metadata.file_block_start").alias(block), F.monotonically_increasing_id().alias(mid))
    splits = sorted(frame.groupBy(path, block).agg(F.min(mid).alias("first"), F.count(F.lit(1)).alias("rows"))
                    .collect(), key=lambda r: (r[path], r[block]))
    single = Path(name).is_file()
    bases = []
    row_base = 0
    line_base: dict[str, int] = {}
    for split in splits:
        file = split[path]
        bases.append((file, split[block], split["first"], row_base, line_base.get(file, 0) + first_line,
                      name if single else _local_name(file)))
        row_base += split["rows"]
        line_base[file] = line_base.get(file, 0) + split["rows"]
    schema = T.StructType([T.StructField(path, T.StringType()), T.StructField(block, T.LongType()),
                           T.StructField("first", T.LongType()), T.StructField("row_base", T.LongType()),
                           T.StructField("line_base", T.LongType()), T.StructField(FILE, T.StringType())])
    table = spark.createDataFrame(bases, schema)
    offset = F.col(mid) - F.col("first")
    return (frame.join(F.broadcast(table), [path, block])
            .withColumn(ROW, F.col("row_base") + offset).withColumn(LINE, F.col("line_base") + offset)
            .drop(path, block, mid, "first", "row_base", "line_base"))


def _local_name(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


# ---- linting (runs in the executors' Python workers) ---------------------------------------------

_LINTERS: dict[str, Linter] = {}  # per Python worker process, which Spark reuses from task to task


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs, shipped with the task: the resolved configuration (not a path, so
    executors need no copy of rules.toml), its fingerprint, the OCR choice and the output kind."""

    config: Config
    key: str
    ocr: str | None
    for_scan: bool


def _worker_linter(job: _Job) -> Linter:
    linter = _LINTERS.get(job.key)
    if linter is None:
        linter = _LINTERS[job.key] = Linter(job.config, **({"ocr": job.ocr} if job.ocr else {}))
    return linter


def _jsonl_record(text: str, name: str, line: int) -> Record | None:
    """One JSONL line as `sanshen scan` reads it (None for a blank line)."""
    path = Path(name)
    where = f"{name}:{line}"
    if line == 1 and text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None
    try:
        # the single-process reader parses the line with its newline, and orjson's positions count it
        data = orjson.loads(text + "\n")
    except orjson.JSONDecodeError as exc:
        return _failed(where, f"invalid JSON: {exc}", path, line)
    return _json_record(where, data, path, path.parent, line)


def _check(linter: Linter, record: Record) -> Result:
    """As the single-process scan checks a record: an error record in place of one that fails."""
    report, error = check_record(linter, record)
    return Result(record, report, error)


def _output_row(result: Result, row: int, for_scan: bool) -> dict[str, Any]:
    line = result.to_dict()  # the report, or {id, source, error}: what `sanshen scan --format jsonl` writes
    out = {"id": result.listing_id, "source": result.record.label, "score": line.get("score"),
           "verdict": line.get("verdict"), "stage": line.get("stage"), "rules_version": line.get("rules_version"),
           "findings": line.get("findings"), "error": result.error, ROW: row}
    if for_scan:
        out[_JSONL] = orjson.dumps(line).decode()
        out[_WORST] = max((SEVERITY_RANK[f["severity"]] for f in line.get("findings") or ()), default=-1)
    return out


def _lint_batches(job: _Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    linter = _worker_linter(job)
    schema = pa.schema([(n, _arrow_type(k)) for n, k in _fields(job.for_scan)])
    for batch in batches:
        rows = []
        for item in batch.to_pylist():
            name, line, row = item.pop(FILE), item.pop(LINE), item.pop(ROW)
            if JSON_TEXT in item:
                record = _jsonl_record(item[JSON_TEXT], name, line)
                if record is None:
                    continue
            else:
                record = _row_record(f"{name}[{line}]", item.items(), Path(name), None)
            rows.append(_output_row(_check(linter, record), row, job.for_scan))
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _job(config_path: str | Path | None, ocr: str | None, for_scan: bool) -> _Job:
    """Load the configuration and build one Linter here first, so a bad rules.toml or pack fails now
    with its own message instead of inside every Spark task."""
    config = load_config(Path(config_path)) if config_path is not None else load_config()
    Linter(config)
    key = hashlib.sha256(pickle.dumps((config.data, str(config.source), ocr))).hexdigest()
    return _Job(config, key, ocr, for_scan)


def _linted(df: DataFrame, job: _Job) -> DataFrame:
    if ROW not in df.columns:  # a DataFrame of listing columns: rows are labelled dataframe[<_row>]
        df = df.withColumn(ROW, F.monotonically_increasing_id())
        df = df.withColumn(FILE, F.lit("dataframe")).withColumn(LINE, F.col(ROW))
    schema = T.StructType([T.StructField(n, _spark_type(k)) for n, k in _fields(job.for_scan)])
    return df.mapInArrow(partial(_lint_batches, job), schema)


def lint_dataframe(df: DataFrame, config_path: str | Path | None = None, explode: bool = False,
                   ocr: str | None = None) -> DataFrame:
    """Reports for a DataFrame of listings (from read_catalog, or with listing columns: id, title, ...).

    One row per listing: id, source, score, verdict, stage, rules_version, findings (array of
    structs), error (set for a record that could not be checked), _row. With `explode=True`: one row
    per finding (id, source, listing_score, verdict, rules_version, error, then the finding's fields),
    error records kept with empty finding fields, clean listings left out.
    `config_path` None means the packaged rules and rules.toml.
    """
    reports = _linted(df, _job(config_path, ocr, for_scan=False))
    if not explode:
        return reports
    finding = F.explode_outer("findings").alias("finding")
    exploded = reports.select("id", "source", F.col("score").alias("listing_score"), "verdict", "rules_version",
                              "error", ROW, finding)
    exploded = exploded.where(F.col("finding").isNotNull() | F.col("error").isNotNull())
    return exploded.select("id", "source", "listing_score", "verdict", "rules_version", "error", ROW, "finding.*")


# ---- scanning to one ordered file ----------------------------------------------------------------


@dataclass
class ScanSummary:
    records: int = 0
    errors: int = 0
    worst: str | None = None  # the most severe finding's severity, for --fail-on


def _session(master: str | None) -> tuple[SparkSession, bool]:
    """The active session, or a new one (True: we made it and stop it at the end)."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName("sanshen scan").config("spark.ui.showConsoleProgress", "false")
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            # Python workers must run this interpreter, the one sanshen is installed in (PySpark reads
            # the variable, not spark.pyspark.python, when the driver is a plain Python process); and
            # file splits smaller than the 128 MB default, so every core gets several tasks.
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = (builder.config("spark.ui.enabled", "false")
                       .config("spark.sql.files.maxPartitionBytes", str(16 << 20))
                       # a local run talks to itself only: bind the driver to loopback, not the host's address
                       .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


def scan_to_jsonl(catalog: str | Path, output: str | Path | IO[bytes], config_path: str | Path | None = None,
                  master: str | None = "local[2]", ocr: str | None = None) -> ScanSummary:
    """`sanshen scan CATALOG --format jsonl` on Spark: one JSON line per record, in input order.

    `config_path` None finds rules.toml upward from the catalog's folder, as the CLI does. `master`
    None uses the session spark-submit configured. Returns counts for the exit code.
    """
    if config_path is None and "://" not in str(catalog):
        config_path = find_user_config(Path(catalog).resolve().parent)
    job = _job(config_path, ocr, for_scan=True)
    spark, created = _session(master)
    summary = ScanSummary()
    try:
        # persisted so the sort's sampling pass and the sort itself share one lint of each record
        linted = _linted(read_catalog(spark, catalog), job).persist(StorageLevel.MEMORY_AND_DISK)
        rows = linted.orderBy(ROW).select(_JSONL, "error", _WORST).toLocalIterator(prefetchPartitions=True)
        with _opened(output) as out:
            worst = -1
            for line, error, rank in rows:
                out.write(line.encode() + b"\n")
                summary.records += 1
                summary.errors += error is not None
                worst = max(worst, rank)
        summary.worst = next((name for name, r in SEVERITY_RANK.items() if r == worst), None)
        linted.unpersist()
    finally:
        if created:
            spark.stop()
    return summary


@contextmanager
def _opened(output: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """A path to create, or a binary stream (stdout) to write to and leave open."""
    if isinstance(output, (str, Path)):
        with open(output, "wb") as handle:
            yield handle
    else:
        yield output
        output.flush()
