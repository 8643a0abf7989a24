"""Precision and recall on labelled cases (`sanshen eval`), as shared/eval/README.md defines them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import orjson

from ._engine import TEXT_FIELDS, Linter
from ._errors import SanshenError
from ._models import Report
from ._rules import FAMILIES

COUNTED = ("warning", "error", "critical")


@dataclass
class EvalResult:
    cases: int = 0
    skipped_image_cases: int = 0
    expected: set[tuple[str, str, str]] = field(default_factory=set)
    predicted: set[tuple[str, str, str]] = field(default_factory=set)
    clean_cases: int = 0
    clean_flagged: int = 0
    evasion_expected: set[tuple[str, str, str]] = field(default_factory=set)
    span_errors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def hits(self) -> set[tuple[str, str, str]]:
        return self.expected & self.predicted

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(len(self.hits), len(self.predicted))

    @property
    def recall(self) -> float:
        return self._ratio(len(self.hits), len(self.expected))

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def clean_fp_rate(self) -> float:
        return self._ratio(self.clean_flagged, self.clean_cases) if self.clean_cases else 0.0

    @property
    def evasion_recall(self) -> float:
        return self._ratio(len(self.evasion_expected & self.predicted), len(self.evasion_expected))

    def per_family(self) -> list[tuple[str, int, int, int, float, float]]:
        """(family, expected, hits, false positives, precision, recall) per family."""
        exp = Counter(t[1] for t in self.expected)
        hit = Counter(t[1] for t in self.hits)
        pred = Counter(t[1] for t in self.predicted)
        return [(fam, exp[fam], hit[fam], pred[fam] - hit[fam], self._ratio(hit[fam], pred[fam]),
                 self._ratio(hit[fam], exp[fam])) for fam in FAMILIES]

    def misses(self) -> list[tuple[str, str, str]]:
        return sorted(self.expected - self.predicted)

    def false_positives(self) -> list[tuple[str, str, str]]:
        return sorted(self.predicted - self.expected)


def _has_images(listing: dict[str, Any]) -> bool:
    return bool(listing.get("images"))


def _span_errors(case: str, listing: dict[str, Any], report: Report) -> Iterable[str]:
    for f in report.findings:
        if f.field in TEXT_FIELDS:
            value = listing.get(f.field) or ""
            if value[f.start:f.end] != f.text:
                yield f"{case} {f.rule} {f.field}[{f.start}:{f.end}] = {value[f.start:f.end]!r} != {f.text!r}"


def evaluate(linter: Linter, cases_path: Path, images_dir: Path | None = None) -> EvalResult:
    result = EvalResult()
    base_dir = images_dir or cases_path.parent
    for line_no, line in enumerate(cases_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = orjson.loads(line)
            name, listing, expect = case["case"], case["listing"], case["expect"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise SanshenError(f"{cases_path}:{line_no}: not a case record ({exc})") from None
        if _has_images(listing) and not all((base_dir / img.get("path", "")).is_file()
                                            for img in listing["images"] if isinstance(img, dict) and "path" in img):
            result.skipped_image_cases += 1
            continue
        result.cases += 1
        expected = {(name, e["family"], e["field"]) for e in expect}
        result.expected |= expected
        if "evasion" in case.get("note", ""):
            result.evasion_expected |= expected
        try:
            report = linter.check(listing, base_dir=base_dir)
        except SanshenError as exc:
            result.errors.append(f"{name}: {exc}")
            continue
        predicted = {(name, f.family, f.field) for f in report.findings if f.severity in COUNTED}
        result.predicted |= predicted
        if not expect:
            result.clean_cases += 1
            result.clean_flagged += bool(predicted)
        result.span_errors.extend(_span_errors(name, listing, report))
    return result
