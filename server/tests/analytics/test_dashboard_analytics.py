"""The dashboard's queries on the hourly rollup: exact totals, periods, buckets, top keys, scope."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import httpx
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Window
from llmobserve_server.analytics.overview import (
    change,
    compare_periods,
    has_usage,
    run_averages,
    top_costs,
)
from llmobserve_server.analytics.timeseries import cost_series
from tests.support.factories import SignedInUser, custom_event, send

START = datetime(2025, 3, 8, tzinfo=timezone.utc)
END = datetime(2025, 3, 15, tzinfo=timezone.utc)  # 7 days; the previous period starts Mar 1


def at(day: int, hour: int = 10) -> str:
    return datetime(2025, 3, day, hour, 30, tzinfo=timezone.utc).isoformat()


def account(user: SignedInUser) -> uuid.UUID:
    return uuid.UUID(user.account_id)


def test_totals_are_exact_decimals_against_the_previous_period(
    db: DbSession, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("0.1", timestamp=at(9), input_tokens=10, output_tokens=5),
        custom_event("0.2", timestamp=at(14, 23), input_tokens=20, output_tokens=0),
        custom_event("0.000000015", timestamp=at(10)),
        custom_event("0.25", timestamp=at(2)),  # previous period
        custom_event("9", timestamp=at(20)),  # after the range
    )
    numbers = compare_periods(db, account_id=account(user), start=START, end=END)
    assert numbers.current.cost_usd == Decimal("0.300000015")
    assert numbers.current.events == 3
    assert numbers.current.tokens == 10 + 5 + 20 + 0 + 1000 + 100
    assert numbers.previous.cost_usd == Decimal("0.25") and numbers.previous.events == 1
    assert change(numbers.current.cost_usd, numbers.previous.cost_usd) == Decimal("0.2000")


def test_change_is_none_when_the_previous_period_is_zero() -> None:
    assert change(Decimal("5"), Decimal(0)) is None
    assert change(0, 0) is None
    assert change(95, 100) == Decimal("-0.0500")


def test_average_cost_per_run_counts_runs_started_in_each_period(
    db: DbSession, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("0.1", timestamp=at(9), run_id="a"),
        custom_event("0.3", timestamp=at(9), run_id="a"),
        custom_event("0.2", timestamp=at(11), run_id="b"),
        custom_event("1", timestamp=at(3), run_id="c"),
    )
    runs = run_averages(db, account_id=account(user), start=START, end=END)
    assert runs.current == Decimal("0.3") and runs.previous == Decimal("1")


def test_series_fill_every_day_and_sum_keys_past_the_top_into_other(
    db: DbSession, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("3", timestamp=at(8), model="big"),
        custom_event("2", timestamp=at(10), model="mid"),
        custom_event("1", timestamp=at(10), model="small"),
        custom_event("0.5", timestamp=at(14), model="tiny"),
    )
    series = cost_series(
        db, account_id=account(user), start=START, end=END, bucket="day", split_by="model", top=2
    )
    assert [start.day for start in series.starts] == [8, 9, 10, 11, 12, 13, 14]
    assert [(line.key, line.other) for line in series.series] == [
        ("big", False),
        ("mid", False),
        (None, True),
    ]
    assert series.series[2].costs == [0, 0, Decimal(1), 0, 0, 0, Decimal("0.5")]
    assert sum(line.total for line in series.series) == Decimal("6.5")


def test_hourly_series_put_each_event_in_its_hour(
    db: DbSession, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("0.7", timestamp=at(9, 13)))
    start = datetime(2025, 3, 9, tzinfo=timezone.utc)
    end = datetime(2025, 3, 10, tzinfo=timezone.utc)
    series = cost_series(db, account_id=account(user), start=start, end=end, bucket="hour")
    assert len(series.starts) == 24
    assert series.series[0].costs[13] == Decimal("0.7") and series.series[0].total == Decimal("0.7")


def test_top_costs_rank_keys_with_their_share_and_keep_unset_ones(
    db: DbSession, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("3", timestamp=at(9), customer_id="acme"),
        custom_event("1", timestamp=at(9)),
    )
    rows = top_costs(
        db,
        account_id=account(user),
        dimension="customer",
        start=START,
        end=END,
        limit=5,
        total_cost_usd=Decimal(4),
    )
    assert [(row.key, row.cost_usd, row.share) for row in rows] == [
        ("acme", Decimal(3), Decimal("0.75")),
        (None, Decimal(1), Decimal("0.25")),
    ]


def test_every_query_is_scoped_to_the_account(
    db: DbSession, user: SignedInUser, other_user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("5", timestamp=at(9), agent="shared-name", customer_id="c1"))
    other = account(other_user)
    window = Window(account_id=other, start=START, end=END)
    assert compare_periods(db, **window, match={"agent": "shared-name"}).current.events == 0
    assert cost_series(db, **window, bucket="day").series == []
    assert top_costs(db, **window, dimension="customer", limit=5, total_cost_usd=Decimal(0)) == []
    assert not has_usage(db, account_id=other)
    assert has_usage(db, account_id=account(user))
