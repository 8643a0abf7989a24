"""What the CLI hands its formatters: one result per input record, and the running totals."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ._inputs import Record, line_col
from ._models import Finding, Report
from ._suppress import Notice


@dataclass
class Result:
    """A checked record (report, notices about its suppressions) or the error in its place."""

    record: Record
    report: Report | None
    error: str | None = None
    notices: list[Notice] = field(default_factory=list)
    fixable: tuple[bool, ...] = ()  # per finding of `report`: would `--fix` rewrite it

    @property
    def listing_id(self) -> str:
        return self.report.id if self.report is not None else self.record.record_id

    def position(self, finding: Finding) -> tuple[int, int, int, int] | None:
        """(line, column, end line, end column) of a finding in plain copy; None for a listing field.
        The end column is exclusive, as in SARIF."""
        copy = self.record.copy
        if copy is None or finding.field != "detail":
            return None
        line, col = line_col(copy.text, finding.start)
        end_line, end_col = line_col(copy.text, finding.end)
        return line, col, end_line, end_col

    def to_dict(self) -> dict[str, Any]:
        """The report of design.md; an error record `{id, source, error}` in place of a bad record.
        Plain copy adds `notices` (unused suppressions) when there are any."""
        if self.report is None:
            return {"id": self.listing_id, "source": self.record.label, "error": self.error}
        out = self.report.to_dict()
        if self.notices:
            out["notices"] = [{"rule": n.rule, "severity": n.severity, "line": n.line, "column": n.column,
                               "message": n.message} for n in self.notices]
        return out


class Tally:
    """Counts for summaries: records, findings per family, stage and severity, errors, rate."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.records = 0
        self.errors = 0
        self.flagged = 0  # listings with at least one finding
        self.fixable = 0
        self.notices = 0
        self.families: Counter[str] = Counter()
        self.stages: Counter[str] = Counter()
        self.severities: Counter[str] = Counter()

    def add(self, result: Result) -> None:
        self.records += 1
        self.notices += len(result.notices)
        if result.report is None:
            self.errors += 1
            return
        findings = result.report.findings
        self.flagged += bool(findings)
        self.fixable += sum(result.fixable)
        for finding in findings:
            self.families[finding.family] += 1
            self.stages[finding.stage] += 1
            self.severities[finding.severity] += 1

    @property
    def findings(self) -> int:
        return sum(self.families.values())

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        return self.records / self.elapsed if self.elapsed > 0 else 0.0
