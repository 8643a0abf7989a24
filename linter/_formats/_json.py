"""Machine formats: JSON lines (streamed, one report per record in input order), one JSON array, and
Parquet for catalog-sized scans."""
from __future__ import annotations

import time
from pathlib import Path
from typing import IO, Any

import orjson

from .._results import Result, Tally


FLUSH_EVERY = 0.1  # seconds: a consumer of the pipe sees reports promptly, without one write call per record


class JsonLinesFormatter:
    """`flush_each`: flush after every report, for input that arrives over time (stdin), where the
    next record may be a long way off."""

    def __init__(self, stream: IO[bytes], flush_each: bool = False) -> None:
        self.stream = stream
        self.flush_each = flush_each
        self._flushed = time.monotonic()

    def write(self, result: Result) -> None:
        self.stream.write(orjson.dumps(result.to_dict()) + b"\n")
        now = time.monotonic()
        if self.flush_each or now - self._flushed >= FLUSH_EVERY:
            self.stream.flush()
            self._flushed = now

    def close(self, tally: Tally) -> None:
        self.stream.flush()


class JsonFormatter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.items: list[dict[str, Any]] = []

    def write(self, result: Result) -> None:
        self.items.append(result.to_dict())

    def close(self, tally: Tally) -> None:
        self.stream.write(orjson.dumps(self.items, option=orjson.OPT_INDENT_2) + b"\n")
        self.stream.flush()


class ParquetFormatter:
    """One row per record: the report's columns, findings as a list of structs, `error` for a record
    that could not be checked. Written in row groups so memory stays flat."""

    ROWS_PER_GROUP = 4096

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        finding = pa.struct([("rule", pa.string()), ("family", pa.string()), ("severity", pa.string()),
                             ("score", pa.int32()), ("field", pa.string()), ("start", pa.int32()),
                             ("end", pa.int32()), ("text", pa.string()), ("message", pa.string()),
                             ("suggestion", pa.string()), ("basis", pa.string()), ("stage", pa.string()),
                             ("bbox", pa.list_(pa.int32()))])
        self.schema = pa.schema([("id", pa.string()), ("source", pa.string()), ("score", pa.int32()),
                                 ("verdict", pa.string()), ("stage", pa.string()), ("rules_version", pa.string()),
                                 ("findings", pa.list_(finding)), ("error", pa.string())])
        self.writer = pq.ParquetWriter(path, self.schema)
        self.rows: list[dict[str, Any]] = []

    def write(self, result: Result) -> None:
        row = result.to_dict()
        row.pop("notices", None)
        row["source"] = result.record.label
        self.rows.append(row)
        if len(self.rows) >= self.ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(self._pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self, tally: Tally) -> None:
        self._flush()
        self.writer.close()
