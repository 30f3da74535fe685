"""Budget periods: UTC calendar day, ISO week (from Monday), calendar month."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from llmobserve_server.budgets.periods import period_bounds

UTC = timezone.utc


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_day_is_the_utc_calendar_day() -> None:
    assert period_bounds("day", at(2026, 12, 7, 23, 59)) == (at(2026, 12, 7), at(2026, 12, 8))


def test_a_day_is_counted_in_utc_whatever_the_timestamps_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    moment = datetime(2026, 12, 8, 2, 0, tzinfo=tokyo)  # 2026-12-07 17:00 UTC
    assert period_bounds("day", moment) == (at(2026, 12, 7), at(2026, 12, 8))


@pytest.mark.parametrize("day", [7, 9, 13])  # Monday, Wednesday, Sunday
def test_a_week_runs_from_monday_to_monday(day: int) -> None:
    assert period_bounds("week", at(2026, 12, day, 12)) == (at(2026, 12, 7), at(2026, 12, 14))


def test_an_iso_week_can_span_two_years() -> None:
    assert period_bounds("week", at(2027, 1, 1)) == (at(2026, 12, 28), at(2027, 1, 4))


def test_a_month_is_the_calendar_month() -> None:
    assert period_bounds("month", at(2026, 2, 28, 23)) == (at(2026, 2, 1), at(2026, 3, 1))


def test_december_ends_on_the_first_of_january() -> None:
    assert period_bounds("month", at(2026, 12, 31)) == (at(2026, 12, 1), at(2027, 1, 1))
