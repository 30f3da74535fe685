"""Where spend is heading: the one rule for every projection (the account's month, each budget's
period), as arithmetic over a series of full days' spend.

    history = {date(2026, 12, 1): Decimal("10"), ..., date(2026, 12, 6): Decimal("12")}
    result = project(history, spent=Decimal("70"), now=now, end=month_end, amount=Decimal("300"))
    result.projected_usd, result.exceed_on  # Decimal("341.3"), date(2026, 12, 27)

The projection is the spend so far plus a daily rate for every day left (the rest of today as a
fraction of a day, then each full day until `end`). The rate is the mean of the last
`RUN_RATE_DAYS` full days, or of fewer when the series is younger (a new account's two days give
its rate rather than two-sevenths of it). With `SEASONAL_DAYS` of history the rate of each day
left is the mean of the same weekday over the last four weeks, so a weekday-heavy product is not
projected as if every weekend were a Monday.

A series starts at its first day with spend: the days before it are not history, only absence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

RUN_RATE_DAYS = 7
SEASONAL_DAYS = 28
# How far back a caller reads: enough to see whether a series is SEASONAL_DAYS old even when its
# oldest days in the seasonal window spent nothing.
HISTORY_DAYS = SEASONAL_DAYS + RUN_RATE_DAYS
_MICRO = Decimal("0.000001")
_DAY_SECONDS = Decimal(86400)


@dataclass(frozen=True)
class Forecast:
    projected_usd: Decimal
    # The first UTC day on which the projected cumulative spend reaches `amount`; None when it
    # does not before `end`, when no amount was given, or when the spend has reached it already.
    exceed_on: date | None


def project(
    history: Mapping[date, Decimal],
    *,
    spent: Decimal,
    now: datetime,
    end: datetime,
    amount: Decimal | None = None,
) -> Forecast:
    """Project `spent` (the period's spend up to `now`) to `end` from `history`, the spend of
    full UTC days before `now`'s day (days missing from it spent nothing)."""
    today = now.astimezone(timezone.utc).date()
    rate = daily_rates(history, today=today)
    total = spent
    exceed_on = None
    watching = amount is not None and spent < amount
    day_start = datetime.combine(today, time.min, timezone.utc)
    while day_start < end:
        day_end = min(day_start + timedelta(days=1), end)
        seconds = (day_end - max(now, day_start)).total_seconds()
        if seconds > 0:
            total += rate(day_start.date()) * Decimal(seconds) / _DAY_SECONDS
        if watching and amount is not None and total >= amount:
            exceed_on, watching = day_start.date(), False
        day_start += timedelta(days=1)
    return Forecast(total.quantize(_MICRO), exceed_on)


def daily_rates(history: Mapping[date, Decimal], *, today: date) -> _Rate:
    """The rate a day in the future is expected to spend, from the full days before `today`."""
    spending = [day for day, value in history.items() if day < today and value]
    if not spending:
        return _Rate({})
    first = min(spending)
    age = (today - first).days  # full days of history
    if age >= SEASONAL_DAYS:
        weekly: dict[int, Decimal] = {}
        for back in range(1, SEASONAL_DAYS + 1):
            day = today - timedelta(days=back)
            weekly[day.weekday()] = weekly.get(day.weekday(), Decimal(0)) + history.get(
                day, Decimal(0)
            )
        weeks = SEASONAL_DAYS // 7
        return _Rate({weekday: total / weeks for weekday, total in weekly.items()})
    window = min(age, RUN_RATE_DAYS)
    recent = sum(
        (history.get(today - timedelta(days=back), Decimal(0)) for back in range(1, window + 1)),
        Decimal(0),
    )
    flat = recent / window
    return _Rate(dict.fromkeys(range(7), flat))


@dataclass(frozen=True)
class _Rate:
    by_weekday: dict[int, Decimal]

    def __call__(self, day: date) -> Decimal:
        return self.by_weekday.get(day.weekday(), Decimal(0))
