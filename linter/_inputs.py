"""Reading what users lint: listing files, catalogs and plain copy, as a stream of records.

Each record is either a listing dict or an InputError for that record, so one bad record never
stops a batch.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson

from ._errors import InputError, SanshenError

LISTING_SUFFIXES = (".json",)
CATALOG_SUFFIXES = (".jsonl", ".ndjson")
COPY_SUFFIXES = (".txt", ".md", ".html", ".htm")


@dataclass
class Record:
    """One unit of work: a listing (or the error reading it), where it came from, and for plain copy
    the text so findings can be reported as line:column."""

    label: str  # file path, or path:line for catalog lines
    listing: dict[str, Any] | None
    error: InputError | None = None
    base_dir: Path | None = None
    copy_text: str | None = None
    path: Path | None = None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SanshenError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SanshenError(f"{path}: not UTF-8 text (byte {exc.start}): {exc.reason}") from None
    except OSError as exc:
        raise SanshenError(f"{path}: cannot read: {exc.strerror}") from None


def _json_lines(label: str, lines: Iterator[str], base_dir: Path | None, path: Path | None) -> Iterator[Record]:
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{label}:{line_no}"
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Record(where, None, InputError(where, "(line)", f"invalid JSON: {exc}"), base_dir, path=path)
            continue
        if not isinstance(data, dict):
            yield Record(where, None, InputError(where, "(line)", "must be a JSON object"), base_dir, path=path)
            continue
        yield Record(where, data, None, base_dir, path=path)


def read_path(path: Path) -> Iterator[Record]:
    """Records from one file, by its extension."""
    suffix = path.suffix.lower()
    if suffix in CATALOG_SUFFIXES:
        try:
            handle = path.open(encoding="utf-8-sig")
        except FileNotFoundError:
            raise SanshenError(f"{path}: no such file") from None
        with handle:
            try:
                yield from _json_lines(str(path), iter(handle), path.parent, path)
            except UnicodeDecodeError as exc:
                raise SanshenError(f"{path}: not UTF-8 text: {exc.reason}") from None
    elif suffix in LISTING_SUFFIXES:
        text = _read_text(path)
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Record(str(path), None, InputError(str(path), "(file)", f"invalid JSON: {exc}"), path.parent, path=path)
            return
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            label = str(path) if len(items) == 1 else f"{path}[{i}]"
            if isinstance(item, dict):
                yield Record(label, item, None, path.parent, path=path)
            else:
                yield Record(label, None, InputError(label, "(record)", "must be a JSON object"), path.parent, path=path)
    elif suffix in COPY_SUFFIXES:
        text = _read_text(path)
        yield Record(str(path), {"id": str(path), "detail": text}, None, path.parent, copy_text=text, path=path)
    else:
        raise SanshenError(f"{path}: unknown file type {suffix or '(none)'!r}; expected .json, .jsonl, "
                           f".txt, .md or .html")


def read_stdin() -> Iterator[Record]:
    """`-`: a JSON listing, JSON lines, or plain copy, decided by the first character."""
    text = sys.stdin.read()
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" not in stripped.strip():
        try:
            yield Record("-", orjson.loads(text), None, Path.cwd())
            return
        except orjson.JSONDecodeError:
            pass
    if stripped.startswith("{"):
        yield from _json_lines("-", iter(text.splitlines()), Path.cwd(), None)
        return
    yield Record("-", {"id": "-", "detail": text}, None, Path.cwd(), copy_text=text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
