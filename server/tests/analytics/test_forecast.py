"""The projection's arithmetic (analytics/forecast.py) on fixed series: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from llmobserve_server.analytics.forecast import project

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)  # a Monday, noon
MONTH_END = datetime(2027, 1, 1, tzinfo=timezone.utc)  # 24.5 days left


def series(days: int, daily: Decimal | dict[int, Decimal], *, today: date) -> dict[date, Decimal]:
    """`days` full days before `today`; `daily` per weekday (Monday 0) or flat."""
    history = {}
    for back in range(1, days + 1):
        day = today - timedelta(days=back)
        history[day] = daily if isinstance(daily, Decimal) else daily[day.weekday()]
    return history


def test_a_flat_series_projects_its_daily_rate_for_the_days_left() -> None:
    history = series(14, Decimal(10), today=NOW.date())
    result = project(history, spent=Decimal(65), now=NOW, end=MONTH_END)
    assert result.projected_usd == Decimal(65) + Decimal(10) * Decimal("24.5")
    assert result.exceed_on is None  # no amount to exceed


def test_the_run_rate_is_the_last_seven_full_days() -> None:
    history = series(14, Decimal(1), today=NOW.date())
    history |= series(7, Decimal(8), today=NOW.date())  # the last week is busier
    result = project(history, spent=Decimal(0), now=NOW, end=MONTH_END)
    assert result.projected_usd == Decimal(8) * Decimal("24.5")


def test_a_weekly_seasonal_series_projects_each_weekday_from_its_own_past() -> None:
    weekdays = {0: Decimal(10), 1: Decimal(10), 2: Decimal(10), 3: Decimal(10), 4: Decimal(10)}
    weekly = weekdays | {5: Decimal(1), 6: Decimal(1)}
    history = series(28, weekly, today=NOW.date())
    result = project(history, spent=Decimal(0), now=NOW, end=MONTH_END)
    # Dec 7 (Mon) half a day, then Dec 8-31: 18 weekdays and 6 weekend days.
    assert result.projected_usd == Decimal(5) + 18 * Decimal(10) + 6 * Decimal(1)


def test_under_28_days_of_history_the_projection_ignores_weekdays() -> None:
    weekly = dict.fromkeys(range(5), Decimal(10)) | {5: Decimal(1), 6: Decimal(1)}
    history = series(21, weekly, today=NOW.date())
    result = project(history, spent=Decimal(0), now=NOW, end=MONTH_END)
    assert result.projected_usd == Decimal(52) / 7 * Decimal("24.5")


def test_a_new_account_with_two_days_projects_their_mean_not_two_sevenths_of_it() -> None:
    history = {date(2026, 12, 5): Decimal(4), date(2026, 12, 6): Decimal(6)}
    result = project(history, spent=Decimal(3), now=NOW, end=MONTH_END)
    assert result.projected_usd == Decimal(3) + Decimal(5) * Decimal("24.5")


def test_an_account_without_full_days_projects_its_spend_so_far() -> None:
    result = project({}, spent=Decimal(3), now=NOW, end=MONTH_END, amount=Decimal(2))
    assert result.projected_usd == Decimal(3)
    assert result.exceed_on is None  # reached already: the budget's state says so


def test_on_the_months_last_day_only_the_rest_of_the_day_is_projected() -> None:
    now = datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc)
    history = series(7, Decimal(8), today=now.date())
    result = project(history, spent=Decimal(200), now=now, end=MONTH_END, amount=Decimal(201))
    assert result.projected_usd == Decimal(202)  # a quarter of a day at $8
    assert result.exceed_on == date(2026, 12, 31)


def test_a_budget_is_projected_to_exceed_on_the_first_day_the_projection_reaches_it() -> None:
    history = series(7, Decimal(10), today=NOW.date())
    result = project(history, spent=Decimal(50), now=NOW, end=MONTH_END, amount=Decimal(200))
    # $55 by the end of Dec 7, then $10 a day: $195 on Dec 21, $205 on Dec 22.
    assert result.exceed_on == date(2026, 12, 22)


def test_a_budget_the_projection_stays_under_is_not_projected_to_exceed() -> None:
    history = series(7, Decimal(1), today=NOW.date())
    result = project(history, spent=Decimal(0), now=NOW, end=MONTH_END, amount=Decimal(100))
    assert result.exceed_on is None
