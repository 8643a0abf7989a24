"""Turning reports into output: one formatter per format, each writing to a stream."""
from __future__ import annotations

from collections import Counter
from typing import IO, Any

import orjson
from rich.console import Console
from rich.text import Text

from ._inputs import Record, line_col
from ._models import Report

SEVERITY_STYLE = {"info": "dim", "warning": "yellow", "error": "red", "critical": "bold red"}


def report_json(report: Report) -> bytes:
    return orjson.dumps(report.to_dict())


class TextFormatter:
    """ruff-like lines: `where: RULE [severity] message «text»`, the hit highlighted on a terminal."""

    def __init__(self, stream: IO[str], color: bool | None = None) -> None:
        self.console = Console(file=stream, force_terminal=color, highlight=False, soft_wrap=True,
                               no_color=color is False)
        self.families: Counter[str] = Counter()
        self.stages: Counter[str] = Counter()
        self.listings = 0

    def location(self, record: Record, report: Report, finding: Any) -> str:
        if record.copy_text is not None and finding.field == "detail":
            line, col = line_col(record.copy_text, finding.start)
            return f"{record.label}:{line}:{col}"
        span = "" if finding.field == "price" else f"[{finding.start}:{finding.end}]"
        return f"{record.label}: {report.id} {finding.field}{span}"

    def write(self, record: Record, report: Report) -> None:
        self.listings += 1
        for f in report.findings:
            self.families[f.family] += 1
            self.stages[f.stage] += 1
            line = Text(f"{self.location(record, report, f)}: ")
            line.append(f.rule, style="bold")
            line.append(f" [{f.severity}] ", style=SEVERITY_STYLE[f.severity])
            line.append(f.message)
            if f.text:
                line.append(" «")
                line.append(f.text, style="reverse " + SEVERITY_STYLE[f.severity])
                line.append("»")
            if f.suggestion:
                line.append(f"  → {f.suggestion}", style="green")
            self.console.print(line)
        if report.findings:
            self.console.print(Text(f"{record.label}: {report.id} score {report.score} verdict {report.verdict} "
                                    f"stage {report.stage}", style="dim"))

    def write_error(self, record: Record, message: str) -> None:
        self.console.print(Text(f"{record.label}: error: {message}", style="bold red"))

    def close(self) -> None:
        total = sum(self.families.values())
        if not total:
            self.console.print(f"{self.listings} listing(s) checked, no findings.")
            return
        fams = ", ".join(f"{k} {v}" for k, v in self.families.most_common())
        stages = ", ".join(f"{k} {v}" for k, v in sorted(self.stages.items()))
        self.console.print(f"{total} finding(s) in {self.listings} listing(s): {fams}; by stage: {stages}")


class JsonLinesFormatter:
    """One JSON report per line, in input order; an error record in place of a bad record."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, record: Record, report: Report) -> None:
        self.stream.write(report_json(report) + b"\n")

    def write_error(self, record: Record, message: str) -> None:
        rid = (record.listing or {}).get("id") if record.listing else None
        self.stream.write(orjson.dumps({"id": rid if isinstance(rid, str) else record.label, "error": message}) + b"\n")

    def close(self) -> None:
        self.stream.flush()


class JsonFormatter:
    """One JSON array of all reports (and error records)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.items: list[dict[str, Any]] = []

    def write(self, record: Record, report: Report) -> None:
        self.items.append(report.to_dict())

    def write_error(self, record: Record, message: str) -> None:
        rid = (record.listing or {}).get("id") if record.listing else None
        self.items.append({"id": rid if isinstance(rid, str) else record.label, "error": message})

    def close(self) -> None:
        self.stream.write(orjson.dumps(self.items, option=orjson.OPT_INDENT_2) + b"\n")
        self.stream.flush()
