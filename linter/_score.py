"""Scores, verdict and owning stage (regulations.md §12), with weights from rules.toml."""
from __future__ import annotations

import math
from typing import Any

from ._models import Finding
from ._rules import SEVERITIES, STAGES

SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}
STAGE_RANK = {name: i for i, name in enumerate(STAGES)}
VISIBLE_FIELDS = ("title", "images")


def _round(x: float) -> int:
    """Round half up (80.5 -> 81, as §12 computes), not Python's half-to-even; the epsilon absorbs float
    noise such as 100 * (1 - 0.3 * 0.65)."""
    return math.floor(x + 0.5 + 1e-9)


class Scorer:
    def __init__(self, scoring: dict[str, Any], verdict: dict[str, Any]) -> None:
        self.base = scoring["base"]
        self.tier_weight = scoring["tier_weight"]
        self.evasion = scoring["evasion"]
        self.visible = scoring["visible_field"]
        self.service = scoring["service_kind"]
        self.repeat_bonus = scoring["repeat_bonus"]
        self.repeat_cap = scoring["repeat_cap"]
        self.block_score = verdict["block_score"]
        self.block_rank = SEVERITY_RANK[verdict["block_severity"]]
        self.review_score = verdict["review_score"]
        self.review_rank = SEVERITY_RANK[verdict["review_severity"]]

    def finding_score(self, severity: str, tier: str, field: str, kind: str, disguised: bool) -> int:
        score = self.base[severity] * self.tier_weight[tier]
        if disguised:
            score *= self.evasion
        if field.startswith(VISIBLE_FIELDS):
            score *= self.visible
        if kind == "service":
            score *= self.service
        return min(100, _round(score))

    def listing_score(self, findings: list[Finding]) -> int:
        """Noisy-OR over the strongest finding of each (family, field), plus a bonus for repeats."""
        strongest: dict[tuple[str, str], int] = {}
        counts: dict[tuple[str, str], int] = {}
        for f in findings:
            key = (f.family, f.field)
            strongest[key] = max(strongest.get(key, 0), f.score)
            counts[key] = counts.get(key, 0) + 1
        clean = 1.0
        for score in strongest.values():
            clean *= 1 - score / 100
        bonus = sum(min(self.repeat_cap, self.repeat_bonus * (n - 1)) for n in counts.values())
        return min(100, _round(100 * (1 - clean) + bonus))

    def verdict(self, score: int, findings: list[Finding]) -> str:
        worst = max((SEVERITY_RANK[f.severity] for f in findings), default=-1)
        if worst >= self.block_rank or score >= self.block_score:
            return "block"
        if worst >= self.review_rank or score >= self.review_score:
            return "review"
        return "pass"

    @staticmethod
    def stage(findings: list[Finding]) -> str:
        if not findings:
            return "none"
        return max((f.stage for f in findings), key=STAGE_RANK.__getitem__)
