"""Price-history checks (regulations.md §5): 虚构原价 and 先涨后降, as functions and through the engine."""
from __future__ import annotations

import pytest

from linter import Linter
from linter._models import Price
from linter._price import fictitious_original, has_history, prices_before, raise_then_cut

PRICE_PACK = """
family = "price"
severity = "error"
stage = "supervisor"
tier = "T2"
basis = "《明码标价和禁止价格欺诈规定》"

[[rules]]
id = "price.fictitious_original"
check = "fictitious_original"
window_days = %(window)s
critical_ratio = 2.0
message = "虚构原价：{text}"
suggestion = "以促销前7日内最低成交价作为原价"

[[rules]]
id = "price.raise_then_cut"
check = "raise_then_cut"
raise_window_days = %(raise_window)s
message = "先涨后降：{text}"

[[rules]]
id = "price.text_unverifiable"
severity = "info"
stage = "ops"
check = "text_unverifiable"
triggers = ["原价", "划线价"]
message = "比较价格「{text}」无法核验"
"""

PROMO = "2026-11-11"


def price(original: float | None, current: float | None, history: list[tuple[str, float]],
          promo_start: str | None = PROMO) -> dict:  # type: ignore[type-arg]
    return {"original": original, "current": current, "promo_start": promo_start,
            "history": [{"date": d, "price": p} for d, p in history]}


def P(*args, **kwargs) -> Price:  # type: ignore[no-untyped-def]
    return Price.model_validate(price(*args, **kwargs))


@pytest.fixture
def linter(make_linter) -> Linter:  # type: ignore[no-untyped-def]
    return make_linter({"price": PRICE_PACK % {"window": 7, "raise_window": 30}})


def rules_fired(linter: Linter, listing_price: dict, title: str = "毛呢大衣") -> list[str]:  # type: ignore[type-arg]
    return sorted(f.rule for f in linter.check({"id": "P", "title": title, "price": listing_price}).findings)


# ---- the functions ---------------------------------------------------------------------------------


def test_prices_before_uses_the_price_in_effect_each_day() -> None:
    p = P(300, 99, [("2026-10-01", 100), ("2026-11-06", 120), ("2026-11-20", 500)])
    # 11-04 .. 11-10: 100 until 11-05, 120 from 11-06; the entry after promo_start is ignored
    assert prices_before(p, 7) == [100, 100, 120, 120, 120, 120, 120]
    assert prices_before(P(300, 99, [("2026-11-09", 100)]), 7) == [100, 100]  # days before the first entry skipped
    assert prices_before(P(300, 99, [("2026-11-09", 100)], promo_start=None), 7) == []


def test_fictitious_original_fires_above_every_recent_price() -> None:
    verdict = fictitious_original(P(150, 90, [("2026-10-01", 100)]))
    assert verdict.fires and not verdict.critical
    assert "150" in verdict.detail and "100" in verdict.detail


def test_fictitious_original_critical_ratio() -> None:
    assert fictitious_original(P(199.99, 90, [("2026-10-01", 100)])).critical is False
    assert fictitious_original(P(200, 90, [("2026-10-01", 100)])).critical is True
    assert fictitious_original(P(260, 90, [("2026-10-01", 100)]), critical_ratio=3.0).critical is False


def test_fictitious_original_clean_cases() -> None:
    history = [("2026-10-01", 100)]
    assert not fictitious_original(P(100, 90, history)).fires           # equal to the max: honest
    assert not fictitious_original(P(100.004, 90, history)).fires       # sub-fen noise
    assert not fictitious_original(P(None, 90, history)).fires          # no compared price
    assert not fictitious_original(P(150, 90, [])).fires                # no history
    assert not fictitious_original(P(150, 90, [("2026-11-20", 100)])).fires  # history only after the promo


def test_fictitious_original_looks_at_the_window_only() -> None:
    # 300 was charged until 11-03; the 7 days before 11-11 (11-04 .. 11-10) were all at 100
    dropped_early = P(300, 90, [("2026-10-01", 300), ("2026-11-04", 100)])
    assert fictitious_original(dropped_early).fires
    # dropped on 11-05: 300 was still charged on 11-04, inside the window
    dropped_late = P(300, 90, [("2026-10-01", 300), ("2026-11-05", 100)])
    assert not fictitious_original(dropped_late).fires
    assert fictitious_original(dropped_late, window_days=6).fires


def test_raise_then_cut() -> None:
    raised = P(120, 90, [("2026-09-01", 80), ("2026-10-25", 120)])   # raised 17 days before the promo
    verdict = raise_then_cut(raised)
    assert verdict.fires and "2026-10-25" in verdict.detail and "80" in verdict.detail
    assert not fictitious_original(raised).fires  # the raised level was charged in the window
    assert not raise_then_cut(raised, raise_window_days=10).fires


def test_raise_then_cut_clean_cases() -> None:
    assert not raise_then_cut(P(120, 90, [("2026-08-01", 80), ("2026-10-05", 120)])).fires  # 37 days before
    assert not raise_then_cut(P(100, 80, [("2026-06-01", 100), ("2026-10-01", 100)])).fires  # honest, no raise
    assert not raise_then_cut(P(100, 80, [("2026-09-01", 120), ("2026-10-25", 100)])).fires  # a cut, not a raise
    assert not raise_then_cut(P(110, 90, [("2026-09-01", 80), ("2026-10-25", 120)])).fires   # base below the raise
    assert not raise_then_cut(P(120, 120, [("2026-09-01", 80), ("2026-10-25", 120)])).fires  # no discount
    assert not raise_then_cut(P(None, 90, [("2026-09-01", 80), ("2026-10-25", 120)])).fires
    assert not raise_then_cut(P(120, 90, [("2026-09-01", 80), ("2026-10-25", 120)], promo_start=None)).fires


def test_raise_exactly_at_the_window_edge() -> None:
    # promo 11-11 minus 30 days is 10-12
    assert raise_then_cut(P(120, 90, [("2026-09-01", 80), ("2026-10-12", 120)])).fires
    assert not raise_then_cut(P(120, 90, [("2026-09-01", 80), ("2026-10-11", 120)])).fires


def test_has_history() -> None:
    assert has_history(P(1, 1, [("2026-10-01", 1)]))
    assert not has_history(P(1, 1, []))
    assert not has_history(P(1, 1, [("2026-10-01", 1)], promo_start=None))
    assert not has_history(None)


# ---- through the engine ----------------------------------------------------------------------------


def test_engine_fictitious_original_finding(linter: Linter) -> None:
    report = linter.check({"id": "P1", "title": "毛呢大衣", "price": price(150, 90, [("2026-10-01", 100)])})
    (f,) = report.findings
    assert (f.rule, f.family, f.field, f.start, f.end, f.text) == ("price.fictitious_original", "price", "price",
                                                                  0, 0, "")
    assert (f.severity, f.stage, f.score, f.bbox) == ("error", "supervisor", 70, None)
    assert f.message.startswith("虚构原价：") and "150" in f.message
    assert f.suggestion == "以促销前7日内最低成交价作为原价"
    assert (report.score, report.verdict, report.stage) == (70, "review", "supervisor")


def test_engine_critical_ratio_goes_to_legal(linter: Linter) -> None:
    report = linter.check({"id": "P2", "price": price(599, 299, [("2026-10-01", 299)])})
    (f,) = report.findings
    assert (f.rule, f.severity, f.stage, f.score) == ("price.fictitious_original", "critical", "legal", 90)
    assert (report.verdict, report.stage) == ("block", "legal")


def test_engine_raise_then_cut(linter: Linter) -> None:
    assert rules_fired(linter, price(120, 90, [("2026-09-01", 80), ("2026-10-25", 120)])) == ["price.raise_then_cut"]


def test_engine_honest_history_is_clean(linter: Linter) -> None:
    history = [("2026-06-01", 100), ("2026-10-01", 100)]
    assert rules_fired(linter, price(100, 80, history)) == []
    # the copy names a compared price, but the history backs it: no "unverifiable" note either
    assert rules_fired(linter, price(100, 80, history), title="原价100 现价80") == []


def test_engine_raise_long_before_is_clean(linter: Linter) -> None:
    assert rules_fired(linter, price(120, 90, [("2026-08-01", 80), ("2026-10-05", 120)])) == []


def test_engine_no_history_no_price_finding(linter: Linter) -> None:
    assert rules_fired(linter, price(999, 99, [])) == []
    assert rules_fired(linter, price(999, 99, [("2026-10-01", 100)], promo_start=None)) == []
    assert rules_fired(linter, {"current": 99}) == []
    # text-only 「原价999 现价99」: an info note, not a price finding
    report = linter.check({"id": "P3", "title": "原价999 现价99", "price": price(999, 99, [])})
    assert [(f.rule, f.severity, f.field, f.text) for f in report.findings] == [
        ("price.text_unverifiable", "info", "title", "原价")]
    assert report.verdict == "pass"


def test_engine_custom_windows(make_linter) -> None:  # type: ignore[no-untyped-def]
    linter = make_linter({"price": PRICE_PACK % {"window": 6, "raise_window": 10}})
    assert rules_fired(linter, price(300, 90, [("2026-10-01", 300), ("2026-11-05", 100)])) == \
        ["price.fictitious_original"]
    assert rules_fired(linter, price(120, 90, [("2026-09-01", 80), ("2026-10-25", 120)])) == []


def test_price_rules_ignore_text_fields(linter: Linter) -> None:
    # a price check has no terms: nothing in the copy can trigger it
    assert linter.check_text("虚构 先涨后降 fictitious_original raise_then_cut", "title") == []
