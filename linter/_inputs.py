"""Reading what users lint: listing files, catalogs and plain copy, as a stream of records.

Every failure to read becomes an error record naming the file (and line, row or key) in the place
of what could not be read, so one bad file or record never stops a batch.
"""
from __future__ import annotations

import codecs
import csv
import fnmatch
import itertools
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import orjson

from ._errors import InputError

LISTING_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
COPY_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
KNOWN_SUFFIXES = LISTING_SUFFIXES + JSONL_SUFFIXES + TABLE_SUFFIXES + COPY_SUFFIXES

# Keys a spreadsheet may have turned into numbers (an id of 10023 is still the string "10023").
_STRING_KEYS = ("id", "kind", "category", "title", "detail", "script")
_LIST_SEPARATORS = re.compile(r"\s*[;|]\s*")
_KEY_SEPARATORS = re.compile(r"\s*[;|,]\s*")
# A byte-order mark tells the encoding; it is kept on write so --fix never changes a file's encoding.
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True)
class CopyText:
    """A plain-copy file's text exactly as stored (line endings kept), and how to write it back."""

    text: str
    codec: str = "utf-8"
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec)


@dataclass
class Record:
    """One unit of work: a listing or the reason it could not be read, and where it came from."""

    label: str  # where, for people: a path, `path:line`, `path[i]`
    listing: dict[str, Any] | None  # for a bad record: None, or what was read of it (its id)
    error: str | None = None  # a message, not an exception: records cross process boundaries
    base_dir: Path | None = None  # relative image paths are relative to this
    path: Path | None = None  # the file the record came from; None for stdin
    line: int | None = None  # 1-based line of the record in a text catalog (.jsonl, .csv)
    copy: CopyText | None = None  # set for plain copy, linted as `detail` and reported as line:column
    raw: bytes | None = None  # a JSON line not parsed yet: `--jobs` workers parse it, not the parent

    @property
    def record_id(self) -> str:
        rid = (self.listing or {}).get("id")
        return rid if isinstance(rid, str) and rid else self.label


def _failed(label: str, message: str, path: Path | None, line: int | None = None,
            listing_id: str | None = None) -> Record:
    listing = {"id": listing_id} if listing_id else None
    return Record(label, listing, message, path.parent if path else None, path, line)


class _CellError(Exception):
    """A table cell that cannot become part of a listing; carries the key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _FileError(Exception):
    """A file that cannot be read at all; the message names what is wrong."""


def decode_text(raw: bytes) -> CopyText:
    """Text by its byte-order mark, else strict UTF-8; raises UnicodeDecodeError."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return CopyText(raw[len(bom):].decode(codec), codec, bom)
    return CopyText(raw.decode("utf-8"))


def _encoding_message(exc: UnicodeDecodeError) -> str:
    return (f"not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8 "
            f"(GBK/GB18030 files are not read)")


def _json_record(label: str, data: Any, path: Path | None, base_dir: Path | None, line: int | None) -> Record:
    if not isinstance(data, dict):
        return Record(label, None, f"must be a JSON object, not {type(data).__name__}", base_dir, path, line)
    return Record(label, data, None, base_dir, path, line)


def _json_lines(lines: Iterable[bytes], name: str, path: Path | None, base_dir: Path,
                defer: bool = False) -> Iterator[Record]:
    """Bytes line by line, lazily, so a bad byte or bad JSON spoils only its own line. `defer` leaves
    each line unparsed in `Record.raw` (see `parse_deferred`)."""
    for line_no, raw in enumerate(lines, 1):
        if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        where = f"{name}:{line_no}"
        if defer:
            if not raw.isspace():  # (not strip(): that copies every line)
                yield Record(where, None, None, base_dir, path, line_no, raw=raw)
            continue
        record = _parse_line(raw, where, path, base_dir, line_no)
        if record is not None:
            yield record


def _parse_line(raw: bytes, where: str, path: Path | None, base_dir: Path | None, line_no: int) -> Record | None:
    """One JSON line as a record (None for a blank line)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failed(where, _encoding_message(exc), path, line_no)
    if not text.strip():
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _failed(where, f"invalid JSON: {exc}", path, line_no)
    return _json_record(where, data, path, base_dir, line_no)


def parse_deferred(record: Record) -> Record | None:
    """A record read with `defer`, parsed as it would have been at once (None: the line was blank)."""
    if record.raw is None:
        return record
    assert record.line is not None
    return _parse_line(record.raw, record.label, record.path, record.base_dir, record.line)


def _read_jsonl(path: Path, name: str, defer: bool = False) -> Iterator[Record]:
    with path.open("rb", buffering=1 << 20) as handle:
        yield from _json_lines(handle, name, path, path.parent, defer)


def _read_json(path: Path, name: str) -> Iterator[Record]:
    try:
        data = orjson.loads(decode_text(path.read_bytes()).text)
    except orjson.JSONDecodeError as exc:
        yield _failed(name, f"invalid JSON: {exc}", path)
        return
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        yield _json_record(name if len(items) == 1 else f"{name}[{i}]", item, path, path.parent, None)


def _looks_json(value: str) -> bool:
    return value[:1] in ("{", "[")


def _parse_json_cell(key: str, value: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise _CellError(key, f"invalid JSON in cell: {exc}") from None


def _cell(key: str, value: Any) -> Any:
    """One table cell as the listing value it stands for."""
    if isinstance(value, str):
        if key == "images":
            if _looks_json(value):
                return _parse_json_cell(key, value)
            return [{"path": part} for part in _LIST_SEPARATORS.split(value) if part]
        if key in ("price", "evidence") and _looks_json(value):
            return _parse_json_cell(key, value)
        if key == "evidence":  # a list of the evidence keys on file: "organic_cert; ccc_cert"
            return {part: True for part in _KEY_SEPARATORS.split(value) if part}
        return value
    if key in _STRING_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _row_listing(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A table row as a listing: empty cells are left out, dotted columns (price.current) nest."""
    listing: dict[str, Any] = {}
    for column, value in items:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
        *parents, leaf = column.split(".")
        target = listing
        for part in parents:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise _CellError(column, f"column {column!r} nests under {part!r}, which is not a table")
            target = child
        target[leaf] = _cell(column, value)
    return listing


def _row_record(where: str, items: Iterable[tuple[str, Any]], path: Path, line: int | None) -> Record:
    pairs = list(items)
    try:
        return Record(where, _row_listing(pairs), None, path.parent, path, line)
    except _CellError as exc:
        rid = next((str(_cell("id", v)) for k, v in pairs if k == "id" and v not in (None, "")), None)
        return _failed(where, str(InputError(rid or where, exc.key, str(exc))), path, line, rid)


def _header(cells: Iterable[Any]) -> list[str]:
    columns = ["" if cell is None else str(cell).strip() for cell in cells]
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            raise _FileError(f"column {column!r} appears twice in the header row")
        seen.add(column)
    if "id" not in seen:
        raise _FileError(f"the header row needs an 'id' column (found: {', '.join(c for c in columns if c) or 'none'})")
    return columns


def _read_csv(path: Path, name: str) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        first = next(reader, None)
        if first is None:
            return
        columns = _header(first)
        line = reader.line_num + 1  # a quoted cell may span lines: a row starts after the last one
        for row in reader:
            where = f"{name}:{line}"
            if len(row) > len(columns):
                yield _failed(where, f"row has {len(row)} cells but the header has {len(columns)}", path, line)
            elif any(cell.strip() for cell in row):
                yield _row_record(where, ((c, v) for c, v in zip(columns, row) if c), path, line)
            line = reader.line_num + 1


def _read_xlsx(path: Path, name: str) -> Iterator[Record]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        # read-only mode streams rows instead of loading the whole workbook into memory
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise _FileError(f"not an .xlsx workbook: {exc}") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            return
        columns = _header(first)
        for row_no, row in enumerate(rows, 2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
                continue
            yield _row_record(f"{name}:{row_no}", ((c, v) for c, v in zip(columns, row) if c), path, row_no)
    finally:
        book.close()


def _read_parquet(path: Path, name: str) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        table = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise _FileError(f"not a Parquet file: {exc}") from None
    if "id" not in table.schema_arrow.names:
        raise _FileError(f"needs an 'id' column (found: {', '.join(table.schema_arrow.names)})")
    index = 0
    # Record batches keep memory flat on large catalogs.
    for batch in table.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            yield _row_record(f"{name}[{index}]", row.items(), path, None)
            index += 1


def _read_copy(path: Path, name: str) -> Iterator[Record]:
    copy = decode_text(path.read_bytes())
    yield Record(name, {"id": name, "detail": copy.text}, None, path.parent, path, None, copy)


_READERS: dict[str, Callable[[Path, str], Iterator[Record]]] = {
    ".json": _read_json, ".jsonl": _read_jsonl, ".ndjson": _read_jsonl, ".csv": _read_csv, ".xlsx": _read_xlsx,
    ".parquet": _read_parquet, **{suffix: _read_copy for suffix in COPY_SUFFIXES},
}


def read_path(path: Path, defer: bool = False) -> Iterator[Record]:
    """Records from one file, by its extension; a file that cannot be read yields one error record.
    `defer`: JSON lines are left unparsed, for the worker processes to parse."""
    name = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        yield _failed(name, f"unknown file type {path.suffix or '(no extension)'!r}; sanshen reads "
                            f"{' '.join(KNOWN_SUFFIXES)}", path)
        return
    try:
        yield from (_read_jsonl(path, name, defer=True) if defer and reader is _read_jsonl else reader(path, name))
    except FileNotFoundError:
        yield _failed(name, "no such file", path)
    except IsADirectoryError:
        yield _failed(name, "is a directory", path)
    except UnicodeDecodeError as exc:
        yield _failed(name, _encoding_message(exc), path)
    except csv.Error as exc:
        yield _failed(name, f"malformed CSV: {exc}", path)
    except _FileError as exc:
        yield _failed(name, str(exc), path)
    except OSError as exc:
        yield _failed(name, f"cannot read: {exc.strerror or exc}", path)


def read_stdin() -> Iterator[Record]:
    """`-`: JSON lines (streamed: each record is checked as soon as its line arrives), one JSON
    listing (possibly over several lines), or plain copy. The first line decides."""
    stream = sys.stdin.buffer
    head = [stream.readline()]
    while head[-1] and not head[-1].strip():
        head.append(stream.readline())
    first = head[-1].removeprefix(codecs.BOM_UTF8)
    if first.lstrip().startswith(b"{"):
        try:
            orjson.loads(first)
        except orjson.JSONDecodeError:
            pass  # not a whole object on its first line: one listing written over several lines
        else:
            yield from _json_lines(itertools.chain(head, stream), "-", None, Path.cwd())
            return
    try:
        text = decode_text(b"".join(head) + stream.read()).text
    except UnicodeDecodeError as exc:
        yield _failed("-", _encoding_message(exc), None)
        return
    if text.lstrip().startswith("{"):
        try:
            yield _json_record("-", orjson.loads(text), None, Path.cwd(), None)
        except orjson.JSONDecodeError as exc:
            yield _failed("-", f"invalid JSON: {exc}", None)
        return
    yield Record("-", {"id": "-", "detail": text}, None, Path.cwd(), None, None, CopyText(text))


def excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    """True when a glob matches the path, its tail, or one of its folder or file names."""
    posix = path.as_posix()
    return any(fnmatch.fnmatch(posix, pat) or fnmatch.fnmatch(posix, "*/" + pat)
               or any(fnmatch.fnmatch(part, pat) for part in path.parts) for pat in patterns)


def _walk(root: Path, exclude: tuple[str, ...]) -> Iterator[Path]:
    """Files sanshen reads under `root`, sorted; hidden and excluded folders are not entered."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not excluded(here / d, exclude))
        for file in sorted(files):
            child = here / file
            if (not file.startswith(".") and child.suffix.lower() in KNOWN_SUFFIXES
                    and not excluded(child, exclude)):
                yield child


def read_args(args: Iterable[str], exclude: tuple[str, ...] = (), defer: bool = False) -> Iterator[Record]:
    """Records from command-line arguments: files, folders (walked) and `-` (stdin)."""
    for name in args:
        if name == "-":
            yield from read_stdin()
            continue
        path = Path(name)
        if path.is_dir():
            for child in _walk(path, exclude):
                yield from read_path(child, defer)
        elif not excluded(path, exclude):
            yield from read_path(path, defer)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
