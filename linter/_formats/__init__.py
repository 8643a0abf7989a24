"""Turning results into output, one formatter per `--format`; each writes to a byte stream."""
from __future__ import annotations

from pathlib import Path
from typing import IO, Callable, Protocol

from .._results import Result, Tally
from .._rules import Rule

FORMATS = ("text", "json", "jsonl", "sarif", "github", "html")
# `--output FILE` picks the format from these extensions; any other keeps `--format`.
FORMAT_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".sarif": "sarif", ".html": "html",
                    ".parquet": "parquet"}


class Formatter(Protocol):
    def write(self, result: Result) -> None: ...

    def close(self, tally: Tally) -> None: ...


def output_format(fmt: str, output: Path | None) -> str:
    if output is None:
        return fmt
    return FORMAT_BY_SUFFIX.get(output.suffix.lower(), fmt)


def make_formatter(fmt: str, stream: IO[bytes] | Path, rules: Callable[[], list[Rule]],
                   summary: bool = True, interactive: bool = False) -> Formatter:
    """`stream` is a Path only for parquet, which needs a seekable file of its own. Each formatter is
    imported when chosen, which keeps the start-up of `sanshen lint` short."""
    if fmt == "parquet":
        from ._json import ParquetFormatter

        assert isinstance(stream, Path)
        return ParquetFormatter(stream)
    assert not isinstance(stream, Path)
    if fmt == "text":
        from ._text import TextFormatter

        return TextFormatter(stream, summary)
    if fmt in ("json", "jsonl"):
        from ._json import JsonFormatter, JsonLinesFormatter

        return JsonFormatter(stream) if fmt == "json" else JsonLinesFormatter(stream, flush_each=interactive)
    if fmt == "sarif":
        from ._sarif import SarifFormatter

        return SarifFormatter(stream, rules)
    if fmt == "github":
        from ._github import GithubFormatter

        return GithubFormatter(stream)
    if fmt == "html":
        from ._html import HtmlFormatter

        return HtmlFormatter(stream)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["FORMATS", "FORMAT_BY_SUFFIX", "Formatter", "make_formatter", "output_format"]
