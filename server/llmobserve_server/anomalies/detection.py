"""Is a day's spend unusual for its series (one model for one customer)? Pure arithmetic; the
daily job (jobs/unusual_spend.py, anomalies/recording.py) feeds it the rollup's days and records
what it finds.

    unusual(series, day=date(2026, 12, 6))  # Unusual(spent_usd=48, usual_usd=6) or None

A day is unusual when it is above its trailing `WINDOW_DAYS` median by more than the larger of
`MAD_FACTOR` median absolute deviations and `MIN_RISE` of the median, and by at least
`MIN_EXCESS_USD`. The median and its deviation keep one past spike (or a quiet weekend) from
moving the baseline. Two more rules keep the alarms honest:

- a series younger than `MIN_HISTORY_DAYS` (counted from its first day with spend) is never
  unusual: a new customer's first days have no "usually";
- a day is compared with the same weekday too (the median of those in the window): a product
  whose Saturdays are busy is not unusual every Saturday.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

WINDOW_DAYS = 14
MIN_HISTORY_DAYS = 7
MAD_FACTOR = 5
MIN_RISE = Decimal("0.5")
MIN_EXCESS_USD = Decimal(1)


@dataclass(frozen=True)
class Unusual:
    spent_usd: Decimal
    usual_usd: Decimal  # the baseline it was compared with


def unusual(series: Mapping[date, Decimal], *, day: date) -> Unusual | None:
    """`day`'s spend against the `WINDOW_DAYS` before it (days absent from `series` spent
    nothing); None when it is usual or the series is too young to tell."""
    spent = series.get(day, Decimal(0))
    window = [day - timedelta(days=back) for back in range(WINDOW_DAYS, 0, -1)]
    first = next((d for d in window if series.get(d)), None)
    if first is None or (day - first).days < MIN_HISTORY_DAYS:
        return None
    history = [series.get(d, Decimal(0)) for d in window if d >= first]
    usual = _median(history)
    spread = _median([abs(value - usual) for value in history])
    if not _above(spent, usual, margin=max(MAD_FACTOR * spread, MIN_RISE * usual)):
        return None
    same_weekday = _median(history[-7::-7])  # 7 and 14 days before `day`
    if not _above(spent, same_weekday, margin=MIN_RISE * same_weekday):
        return None
    return Unusual(spent, max(usual, same_weekday))


def _above(spent: Decimal, baseline: Decimal, *, margin: Decimal) -> bool:
    excess = spent - baseline
    return excess > margin and excess >= MIN_EXCESS_USD


def _median(values: Sequence[Decimal]) -> Decimal:
    return Decimal(median(values)) if values else Decimal(0)
