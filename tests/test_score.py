"""Scores, verdict and stage (regulations.md §12) with the default weights of rules.toml."""
from __future__ import annotations

import pytest

from conftest import ABSOLUTE_PACK, EFFICACY_PACK
from linter import Context, Finding, Linter, load_config
from linter._score import Scorer


SCORING_12 = {"base": {"info": 10, "warning": 35, "error": 70, "critical": 90},
              "tier_weight": {"T1": 0.9, "T2": 1.0, "T3": 1.0, "T4": 1.1, "T5": 1.15},
              "evasion": 1.1, "visible_field": 1.1, "service_kind": 0.9, "repeat_bonus": 2, "repeat_cap": 6}
VERDICT_12 = {"block_score": 85, "block_severity": "critical", "review_score": 30, "review_severity": "warning"}


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(SCORING_12, VERDICT_12)


def test_shipped_defaults_follow_regulations_12() -> None:
    config = load_config()
    assert config.data["scoring"] == SCORING_12
    assert config.data["verdict"] == VERDICT_12


def finding(score: int, family: str = "absolute", field: str = "detail", severity: str = "error",
            stage: str = "ops") -> Finding:
    return Finding(f"{family}.x", family, severity, score, field, 0, 1, "x", "m", "", "b", stage)


@pytest.mark.parametrize(("args", "expected"), [
    (("error", "T3", "detail", "listing", False), 70),
    (("error", "T3", "title", "listing", False), 77),          # §12: 最好 in a title -> 77
    (("critical", "T4", "detail", "listing", False), 99),      # §12: 抗癌 in a food detail -> 99
    (("error", "T3", "detail", "listing", True), 77),          # evasion x1.1
    (("error", "T3", "title", "listing", True), 85),           # 70 x 1.1 x 1.1 = 84.7
    (("error", "T3", "images[2]", "listing", False), 77),      # images are visible too
    (("error", "T3", "script", "service", False), 63),         # a service reply x0.9
    (("warning", "T1", "detail", "listing", False), 32),       # 35 x 0.9 = 31.5, half up
    (("warning", "T3", "detail", "listing", True), 39),        # 38.5, half up (not to even)
    (("info", "T3", "detail", "listing", False), 10),
    (("critical", "T5", "title", "listing", True), 100),       # capped
    (("error", "T2", "price", "listing", False), 70),
])
def test_finding_score(scorer: Scorer, args: tuple, expected: int) -> None:  # type: ignore[type-arg]
    assert scorer.finding_score(*args) == expected


def test_evasion_never_scores_lower(scorer: Scorer) -> None:
    for severity in ("info", "warning", "error", "critical"):
        for tier in ("T1", "T2", "T3", "T4", "T5"):
            for field in ("title", "detail", "images[0]"):
                plain = scorer.finding_score(severity, tier, field, "listing", False)
                assert scorer.finding_score(severity, tier, field, "listing", True) >= plain


def test_listing_score_noisy_or(scorer: Scorer) -> None:
    assert scorer.listing_score([]) == 0
    assert scorer.listing_score([finding(70)]) == 70
    # §12: error 70 + warning 35 -> 100 x (1 - 0.30 x 0.65) = 80.5 -> 81
    assert scorer.listing_score([finding(70, "absolute"), finding(35, "promotion", severity="warning")]) == 81
    assert scorer.listing_score([finding(70, field="title"), finding(35, field="detail")]) == 81
    assert scorer.listing_score([finding(100), finding(10, "promotion")]) == 100


def test_listing_score_counts_each_family_field_once_plus_repeats(scorer: Scorer) -> None:
    assert scorer.listing_score([finding(70), finding(35)]) == 72                   # strongest + 2
    assert scorer.listing_score([finding(35), finding(70), finding(70)]) == 74     # + 2 each
    assert scorer.listing_score([finding(70)] * 4) == 76                           # + 6 cap
    assert scorer.listing_score([finding(70)] * 10) == 76
    assert scorer.listing_score([finding(90)] * 10 + [finding(90, "promotion")] * 10) == 100  # bounded


def test_listing_score_grows_with_findings(scorer: Scorer) -> None:
    findings: list[Finding] = []
    last = 0
    for i, family in enumerate(["absolute", "efficacy", "promotion", "diversion"]):
        findings.append(finding(35 + 10 * i, family))
        score = scorer.listing_score(findings)
        assert last < score <= 100
        last = score


@pytest.mark.parametrize(("findings", "verdict"), [
    ([], "pass"),
    ([finding(10, severity="info")], "pass"),
    ([finding(10, severity="info", family=f) for f in ("absolute", "efficacy", "promotion", "diversion")],
     "review"),                                            # 1 - 0.9^4 = 34 >= 30
    ([finding(32, severity="warning")], "review"),
    ([finding(70)], "review"),
    ([finding(77, field="title"), finding(77, family="efficacy")], "block"),   # 95 >= 85
    ([finding(90, severity="critical")], "block"),
    ([finding(10, severity="critical")], "block"),         # a critical finding blocks whatever its score
])
def test_verdict(scorer: Scorer, findings: list[Finding], verdict: str) -> None:
    assert scorer.verdict(scorer.listing_score(findings), findings) == verdict


def test_stage_is_most_senior(scorer: Scorer) -> None:
    assert scorer.stage([]) == "none"
    assert scorer.stage([finding(70, stage="ops")]) == "ops"
    assert scorer.stage([finding(70, stage="ops"), finding(10, stage="supervisor", severity="info")]) == "supervisor"
    assert scorer.stage([finding(90, stage="supervisor"), finding(10, stage="legal"),
                         finding(70, stage="ops")]) == "legal"


# ---- through the engine ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linter(make_session_linter) -> Linter:  # type: ignore[no-untyped-def]
    return make_session_linter({"absolute": ABSOLUTE_PACK, "efficacy": EFFICACY_PACK})


def score_of(linter: Linter, text: str, field: str = "detail", kind: str = "listing") -> int:
    (f,) = linter.check_text(text, field, Context(kind=kind))
    return f.score


def test_engine_context_multipliers(linter: Linter) -> None:
    assert score_of(linter, "最好") == 70
    assert score_of(linter, "最好", "title") == 77                 # title x1.1
    assert score_of(linter, "最 好") == 77                         # evasion x1.1
    assert score_of(linter, "最<b>好</b>") == 77
    assert score_of(linter, "最 好", "title") == 85               # both
    assert score_of(linter, "最好", "script", "service") == 63     # one buyer x0.9
    assert score_of(linter, "抗癌") == 99                          # critical x T4 1.1
    assert score_of(linter, "第一") == 35                          # warning, T3


def test_engine_listing_score_verdict_stage(linter: Linter) -> None:
    report = linter.check({"id": "S1", "detail": "最好", "script": "第一"})
    assert (report.score, report.verdict, report.stage) == (81, "review", "ops")
    report = linter.check({"id": "S2", "title": "最好 最佳", "detail": "7天美白"})
    # absolute/title 77 (+2 for the repeat) and efficacy/detail 70 (T4 x1.1 = 77): 1 - 0.23 x 0.23 = 94.7 -> 95 + 2
    assert (report.score, report.verdict, report.stage) == (97, "block", "supervisor")
    report = linter.check({"id": "S3", "detail": "療效"})
    assert (report.verdict, report.stage) == ("block", "legal")


def test_engine_custom_weights(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter({"absolute": ABSOLUTE_PACK},
                         "[scoring]\nevasion = 1.5\nbase = { error = 50 }\n[verdict]\nreview_score = 60\n"
                         "review_severity = \"critical\"\n")
    assert score_of(linter, "最 好") == 75
    report = linter.check({"id": "W", "detail": "最好"})
    assert (report.score, report.verdict) == (50, "pass")
