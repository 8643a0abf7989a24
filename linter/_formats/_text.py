"""ruff-like text: one line per finding, `path:line:col: RULE [severity] message → suggestion`.

On a terminal rich colours the severity and highlights the matched text inside the message; piped
or redirected, the same lines come out plain.
"""
from __future__ import annotations

import io
from typing import IO

from rich.console import Console
from rich.text import Text

from .._models import Finding
from .._results import Result, Tally
from .._rules import STAGES

SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "error": "red", "critical": "bold red"}


class TextFormatter:
    def __init__(self, stream: IO[bytes], summary: bool = True) -> None:
        self._wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=True)
        # rich decides from the stream (a tty or not) and FORCE_COLOR / NO_COLOR; soft_wrap keeps one
        # finding on one line whatever the width, so piped output stays grep-able.
        self.console = Console(file=self._wrapper, highlight=False, markup=False, emoji=False, soft_wrap=True)
        self.summary = summary

    def _location(self, result: Result, finding: Finding) -> str:
        position = result.position(finding)
        if position is not None:
            return f"{result.record.label}:{position[0]}:{position[1]}"
        span = "" if finding.field == "price" else f"[{finding.start}:{finding.end}]"
        return f"{result.record.label}: {result.listing_id} {finding.field}{span}"

    def _finding_line(self, result: Result, finding: Finding, fixable: bool) -> Text:
        style = SEVERITY_STYLE[finding.severity]
        line = Text(f"{self._location(result, finding)}: ")
        line.append(finding.rule, style="bold")
        line.append(f" [{finding.severity}]", style=style)
        if fixable:
            line.append(" [*]", style="cyan")
        line.append(" ")
        message, text = finding.message, finding.text
        at = message.find(text) if text else -1
        if at >= 0:
            line.append(message[:at])
            line.append(text, style=f"reverse {style}")
            line.append(message[at + len(text):])
        else:
            line.append(message)
            if text:
                line.append(" «")
                line.append(text, style=f"reverse {style}")
                line.append("»")
        if finding.suggestion:
            line.append(f" → {finding.suggestion}", style="green")
        return line

    def write(self, result: Result) -> None:
        if result.report is None:
            line = Text(f"{result.record.label}: ")
            line.append("error", style="bold red")
            line.append(f": {result.error}")
            self.console.print(line)
            return
        report = result.report
        fixable = result.fixable or (False,) * len(report.findings)
        lines: list[tuple[tuple[int, int], Text]] = []
        for i, (finding, can_fix) in enumerate(zip(report.findings, fixable)):
            position = result.position(finding)
            lines.append((position[:2] if position else (0, i), self._finding_line(result, finding, can_fix)))
        for notice in result.notices:
            line = Text(f"{result.record.label}:{notice.line}:{notice.column}: ")
            line.append(notice.rule, style="bold")
            line.append(f" [{notice.severity}] ", style=SEVERITY_STYLE[notice.severity])
            line.append(notice.message)
            lines.append(((notice.line, notice.column), line))
        # plain copy reads top to bottom: findings and suppression notices in line order
        for _, line in sorted(lines, key=lambda item: item[0]):
            self.console.print(line)
        if report.findings:
            self.console.print(Text(f"  {result.listing_id}: score {report.score}, verdict {report.verdict}, "
                                    f"stage {report.stage}", style="dim"))

    def close(self, tally: Tally) -> None:
        if self.summary:
            for line in summary_lines(tally):
                self.console.print(line)
        self._wrapper.flush()
        self._wrapper.detach()  # the caller owns the stream


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summary_lines(tally: Tally) -> list[str]:
    checked = tally.records - tally.errors
    lines: list[str] = []
    if tally.findings:
        fix = f" ({tally.fixable} fixable with `sanshen lint --fix`)" if tally.fixable else ""
        lines.append(f"Found {tally.findings} finding{'s' * (tally.findings != 1)} in {tally.flagged} of "
                     f"{checked} listing{'s' * (checked != 1)}{fix}.")
        lines.append(f"  by family: {_counts(tally.families)}")
        lines.append("  by stage: " + ", ".join(f"{s} {tally.stages[s]}" for s in STAGES if tally.stages[s]))
        lines.append(f"  by severity: {_counts(tally.severities)}")
    elif tally.errors:
        lines.append(f"No findings in {checked} listing{'s' * (checked != 1)} checked.")
    else:
        lines.append(f"All clean: {checked} listing{'s' * (checked != 1)} checked, no findings.")
    if tally.notices:
        lines.append(f"{tally.notices} suppression comment{'s' * (tally.notices != 1)} unused or unmatched.")
    if tally.errors:
        lines.append(f"{tally.errors} record{'s' * (tally.errors != 1)} could not be checked (see the error lines).")
    return lines
