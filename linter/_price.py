"""Price-history checks (明码标价和禁止价格欺诈规定 第十六、十七条).

A price holds from its date until the next entry. `P7` is the set of prices in effect on the
`window_days` days before promo_start.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from ._models import Price

EPSILON = 0.005  # prices are in yuan; ignore sub-fen noise


@dataclass(frozen=True)
class PriceVerdict:
    fires: bool
    detail: str = ""
    critical: bool = False


def _timeline(price: Price) -> tuple[list[dt.date], list[float]]:
    points = sorted(price.history, key=lambda p: p.date)
    return [p.date for p in points], [p.price for p in points]


def prices_before(price: Price, days: int) -> list[float]:
    """Prices in effect on each of the `days` days before promo_start (days with no data skipped)."""
    if price.promo_start is None:
        return []
    dates, values = _timeline(price)
    out = []
    for offset in range(days, 0, -1):
        i = bisect_right(dates, price.promo_start - dt.timedelta(days=offset)) - 1
        if i >= 0:
            out.append(values[i])
    return out


def fictitious_original(price: Price, window_days: int = 7, critical_ratio: float = 2.0) -> PriceVerdict:
    """虚构原价: the stated original is above every price charged in the window before the promotion."""
    if price.original is None:
        return PriceVerdict(False)
    recent = prices_before(price, window_days)
    if not recent:
        return PriceVerdict(False)
    top = max(recent)
    if price.original <= top + EPSILON:
        return PriceVerdict(False)
    return PriceVerdict(True, f"原价{price.original:g}元高于活动前{window_days}日内最高成交价{top:g}元",
                        critical=price.original >= critical_ratio * top)


def raise_then_cut(price: Price, raise_window_days: int = 30) -> PriceVerdict:
    """先涨后降: a raise shortly before promo_start, with the discount computed from the raised level."""
    if price.promo_start is None or price.original is None:
        return PriceVerdict(False)
    dates, values = _timeline(price)
    since = price.promo_start - dt.timedelta(days=raise_window_days)
    for i in range(1, len(dates)):
        before, raised = values[i - 1], values[i]
        if since <= dates[i] < price.promo_start and raised > before + EPSILON:
            if price.original >= raised - EPSILON and (price.current is None or price.current < raised):
                return PriceVerdict(True, f"{dates[i].isoformat()} 由{before:g}元涨至{raised:g}元，"
                                          f"随后以{price.original:g}元为原价促销")
    return PriceVerdict(False)


def has_history(price: Price | None) -> bool:
    return price is not None and bool(price.history) and price.promo_start is not None
