"""GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`, shown as annotations on
the pull request's diff (warning for warnings, notice for info)."""
from __future__ import annotations

from typing import IO

from .._results import Result, Tally
from ._common import LEVELS, display_path

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def _emit(self, command: str, props: dict[str, object], message: str) -> None:
        fields = ",".join(f"{key}={_prop(str(value))}" for key, value in props.items())
        self.stream.write(f"::{command} {fields}::{_data(message)}\n".encode("utf-8"))

    def write(self, result: Result) -> None:
        file = display_path(result)
        line = result.record.line or 1
        if result.report is None:
            self._emit("error", {"file": file, "line": line, "title": "sanshen: input error"},
                       f"{result.record.label}: {result.error}")
            return
        for finding in result.report.findings:
            position = result.position(finding)
            if position is not None:
                props: dict[str, object] = {"file": file, "line": position[0], "col": position[1],
                                            "endLine": position[2], "endColumn": position[3],
                                            "title": finding.rule}
            else:
                props = {"file": file, "line": line, "title": f"{finding.rule} ({result.listing_id} {finding.field})"}
            message = finding.message + (f" → {finding.suggestion}" if finding.suggestion else "")
            self._emit(_COMMAND[LEVELS[finding.severity]], props, message)
        for notice in result.notices:
            self._emit(_COMMAND[LEVELS[notice.severity]],
                       {"file": file, "line": notice.line, "col": notice.column, "title": notice.rule}, notice.message)

    def close(self, tally: Tally) -> None:
        self.stream.flush()
