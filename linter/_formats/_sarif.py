"""SARIF 2.1.0, for code-scanning dashboards.

Plain copy gets ordinary regions (line and column, plus charOffset/charLength in the file's text).
A listing field is not a span of its catalog file, so a listing finding carries a logical location
naming the field (`SKU-1/title`, kind `member`) and its region's charOffset/charLength index that
field's value, as the report's start/end do; `properties.line` is the record's line in a text
catalog. Columns count Unicode code points (`columnKind`).
"""
from __future__ import annotations

import hashlib
from typing import IO, Any, Callable

import orjson

from .. import __version__
from .._baseline import finding_key
from .._models import Finding
from .._results import Result, Tally
from .._rules import Rule
from .._suppress import UNUSED_RULE, Notice
from ._common import LEVELS, artifact_uri

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/sanshen/"


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.message.replace("{text}", "…")},
        "fullDescription": {"text": rule.basis or rule.message.replace("{text}", "…")},
        "help": {"text": rule.suggestion or rule.message.replace("{text}", "…")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"family": rule.family, "severity": rule.severity, "stage": rule.stage, "tier": rule.tier,
                       "basis": rule.basis, "fixable": rule.fixable, "tags": [rule.family, rule.stage]},
    }


_UNUSED_DESCRIPTOR = {
    "id": UNUSED_RULE,
    "shortDescription": {"text": "A sanshen suppression comment that suppresses no finding"},
    "help": {"text": "Remove the comment, or correct the rule ids it names."},
    "defaultConfiguration": {"level": "note"},
    "properties": {"tags": ["sanshen"]},
}


class SarifFormatter:
    def __init__(self, stream: IO[bytes], rules: Callable[[], list[Rule]]) -> None:
        self.stream = stream
        self.rules = rules
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []

    def _finding(self, result: Result, finding: Finding) -> dict[str, Any]:
        region: dict[str, Any] = {"charOffset": finding.start, "charLength": finding.end - finding.start}
        if finding.text:
            region["snippet"] = {"text": finding.text}
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(result.record.path)},
                                                         "region": region}}
        properties: dict[str, Any] = {"listing": result.listing_id, "field": finding.field,
                                      "family": finding.family, "severity": finding.severity,
                                      "stage": finding.stage, "score": finding.score, "basis": finding.basis,
                                      "suggestion": finding.suggestion}
        position = result.position(finding)
        if position is not None:
            region.update(startLine=position[0], startColumn=position[1], endLine=position[2], endColumn=position[3])
        else:
            location["logicalLocations"] = [{"name": finding.field, "kind": "member",
                                             "fullyQualifiedName": f"{result.listing_id}/{finding.field}"}]
            if result.record.line is not None:
                properties["line"] = result.record.line
        if finding.bbox is not None:
            properties["bbox"] = finding.bbox
        key = "\0".join(finding_key(result.listing_id, finding))
        return {"ruleId": finding.rule, "level": LEVELS[finding.severity], "message": {"text": finding.message},
                "locations": [location],
                # the baseline key: stable across runs, so dashboards track a finding over time
                "partialFingerprints": {"sanshenFinding/v1": hashlib.sha256(key.encode()).hexdigest()},
                "properties": properties}

    def _notice(self, result: Result, notice: Notice) -> dict[str, Any]:
        region = {"startLine": notice.line, "startColumn": notice.column}
        return {"ruleId": notice.rule, "level": LEVELS[notice.severity], "message": {"text": notice.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(result.record.path)},
                                                    "region": region}}]}

    def write(self, result: Result) -> None:
        if result.report is None:
            notification: dict[str, Any] = {"level": "error", "message": {"text": f"{result.record.label}: "
                                                                                   f"{result.error}"}}
            if result.record.path is not None:
                physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(result.record.path)}}
                if result.record.line is not None:
                    physical["region"] = {"startLine": result.record.line}
                notification["locations"] = [{"physicalLocation": physical}]
            self.notifications.append(notification)
            return
        self.results.extend(self._finding(result, f) for f in result.report.findings)
        self.results.extend(self._notice(result, n) for n in result.notices)

    def close(self, tally: Tally) -> None:
        descriptors = [_rule_descriptor(rule) for rule in sorted(self.rules(), key=lambda r: r.id)]
        descriptors.append(_UNUSED_DESCRIPTOR)
        index = {d["id"]: i for i, d in enumerate(descriptors)}
        for item in self.results:
            if item["ruleId"] in index:
                item["ruleIndex"] = index[item["ruleId"]]
        run: dict[str, Any] = {
            "tool": {"driver": {"name": "sanshen", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": descriptors}},
            "invocations": [{"executionSuccessful": tally.errors == 0,
                             "toolExecutionNotifications": self.notifications}],
            "columnKind": "unicodeCodePoints",
            "results": self.results,
        }
        log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        self.stream.write(orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n")
        self.stream.flush()
