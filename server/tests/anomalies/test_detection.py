"""Which days are unusual (anomalies/detection.py), on seeded histories: no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from llmobserve_server.anomalies.detection import Unusual, unusual

DAY = date(2026, 12, 5)  # a Saturday


def history(days: int, daily: Decimal | dict[int, Decimal]) -> dict[date, Decimal]:
    """`days` days before DAY; `daily` per weekday (Monday 0) or flat."""
    series = {}
    for back in range(1, days + 1):
        day = DAY - timedelta(days=back)
        series[day] = daily if isinstance(daily, Decimal) else daily[day.weekday()]
    return series


def test_a_spike_over_a_flat_series_is_unusual() -> None:
    series = history(14, Decimal(6)) | {DAY: Decimal(48)}
    assert unusual(series, day=DAY) == Unusual(spent_usd=Decimal(48), usual_usd=Decimal(6))


def test_a_flat_series_is_never_unusual() -> None:
    series = history(14, Decimal(6)) | {DAY: Decimal(6)}
    assert unusual(series, day=DAY) is None


def test_a_rise_of_half_the_median_or_less_is_usual() -> None:
    series = history(14, Decimal(6)) | {DAY: Decimal(9)}
    assert unusual(series, day=DAY) is None


def test_a_noisy_series_needs_more_than_five_deviations() -> None:
    # $4 and $8 on alternate days: median 6, median absolute deviation 2
    series = {DAY - timedelta(days=back): Decimal(4 + 4 * (back % 2)) for back in range(1, 15)}
    assert unusual(series | {DAY: Decimal(15)}, day=DAY) is None  # 9 over: under 5 x 2
    assert unusual(series | {DAY: Decimal(17)}, day=DAY) is not None  # 11 over


def test_a_rise_under_one_dollar_is_not_worth_an_alarm() -> None:
    series = history(14, Decimal("0.10")) | {DAY: Decimal("0.90")}
    assert unusual(series, day=DAY) is None


def test_a_weekly_seasonal_series_is_usual_on_its_busy_days() -> None:
    weekly = dict.fromkeys(range(5), Decimal(10)) | {5: Decimal(30), 6: Decimal(30)}
    series = history(28, weekly) | {DAY: Decimal(30)}  # Saturdays cost $30
    assert unusual(series, day=DAY) is None


def test_a_weekly_seasonal_series_still_shows_a_spike_on_a_busy_day() -> None:
    weekly = dict.fromkeys(range(5), Decimal(10)) | {5: Decimal(30), 6: Decimal(30)}
    series = history(28, weekly) | {DAY: Decimal(90)}
    assert unusual(series, day=DAY) == Unusual(spent_usd=Decimal(90), usual_usd=Decimal(30))


def test_a_brand_new_series_raises_no_alarm_in_its_first_week() -> None:
    for age in range(0, 7):
        series = history(age, Decimal(1)) | {DAY: Decimal(100)}
        assert unusual(series, day=DAY) is None, age


def test_a_series_a_week_old_can_be_unusual() -> None:
    series = history(7, Decimal(1)) | {DAY: Decimal(100)}
    assert unusual(series, day=DAY) == Unusual(spent_usd=Decimal(100), usual_usd=Decimal(1))


def test_quiet_days_after_the_first_count_as_history_at_zero() -> None:
    series = {DAY - timedelta(days=10): Decimal(3)} | {DAY: Decimal(5)}
    assert unusual(series, day=DAY) == Unusual(spent_usd=Decimal(5), usual_usd=Decimal(0))
