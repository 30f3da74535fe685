"""The daily slices: ingest keeps them equal to the hourly rollup's sums, queries over whole days
read them, and they answer exactly what the hourly rollup answers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.costs import cost_report
from llmobserve_server.analytics.overview import compare_periods, top_costs
from llmobserve_server.analytics.rollups import rollup_for
from llmobserve_server.analytics.timeseries import cost_series
from llmobserve_server.db.models import UsageDaily, UsageHourly
from llmobserve_server.ingest.rows import ROLLUP_SUMS
from tests.support.factories import SignedInUser, custom_event, event, send

ACCOUNT = uuid.uuid4()
START = datetime(2025, 3, 8, tzinfo=timezone.utc)
END = datetime(2025, 3, 11, tzinfo=timezone.utc)
JUST_BEFORE_END = END - timedelta(microseconds=1)  # the same hours, but not a whole day


def at(day: int, hour: int) -> str:
    return datetime(2025, 3, day, hour, 15, tzinfo=timezone.utc).isoformat()


def varied_events() -> list[dict[str, Any]]:
    """Events over three days and several hours, with every dimension set, unset and repeated,
    priced by the catalogue, by the client, and not at all."""
    events: list[dict[str, Any]] = []
    for number in range(36):
        day, hour = 8 + number % 3, (number * 5) % 24
        tags = {
            "customer_id": ["acme", "globex", None][number % 3],
            "section": ["search", "answer", None, "search"][number % 4],
            "agent": ["planner", None][number % 2],
        }
        tagged = {key: value for key, value in tags.items() if value is not None}
        if number % 3 == 0:
            events.append(custom_event(f"0.0{number + 1}", timestamp=at(day, hour), **tagged))
        elif number % 3 == 1:
            events.append(
                event(
                    provider="openai",
                    model="gpt-4o-mini",
                    input_tokens=1000 + number,
                    output_tokens=200,
                    timestamp=at(day, hour),
                    **tagged,
                )
            )
        else:
            events.append(
                event(provider="acme-ai", model="unknown-1", timestamp=at(day, hour), **tagged)
            )
    return events


EVENTS = varied_events()  # ids are unique per account: every test's account can take them


@pytest.fixture
def account_id(user: SignedInUser, keyed: httpx.Client) -> uuid.UUID:
    send(keyed, *EVENTS)
    return uuid.UUID(user.account_id)


@pytest.mark.parametrize(
    ("dimension", "hourly_column"),
    [("", None), ("customer", "customer_id"), ("section", "section"), ("agent", "agent")],
)
def test_ingest_keeps_each_daily_slice_equal_to_the_hourly_sums(
    db: DbSession, account_id: uuid.UUID, dimension: str, hourly_column: str | None
) -> None:
    hourly: dict[tuple[Any, ...], list[Any]] = {}
    for row in db.scalars(select(UsageHourly).where(UsageHourly.account_id == account_id)):
        value = getattr(row, hourly_column) if hourly_column else ""
        key = (row.hour.replace(hour=0), value, row.provider, row.model)
        sums = hourly.setdefault(key, [0] * len(ROLLUP_SUMS))
        for index, name in enumerate(ROLLUP_SUMS):
            sums[index] += getattr(row, name)
    daily = {
        (row.day, row.value, row.provider, row.model): [getattr(row, name) for name in ROLLUP_SUMS]
        for row in db.scalars(
            select(UsageDaily).where(
                UsageDaily.account_id == account_id, UsageDaily.dimension == dimension
            )
        )
    }
    assert daily == hourly
    assert sum(sums[0] for sums in daily.values()) == len(EVENTS)


def test_a_resent_batch_adds_nothing_to_the_daily_slices(
    db: DbSession, account_id: uuid.UUID, keyed: httpx.Client
) -> None:
    before = db.scalar(
        select(func.sum(UsageDaily.events)).where(UsageDaily.account_id == account_id)
    )
    db.rollback()  # on SQLite every transaction holds the write lock (db/engine.py)
    response = keyed.post("/v1/events", json={"events": EVENTS})
    assert response.status_code == 200, response.text
    assert response.json()["duplicates"] == len(EVENTS), response.text
    after = db.scalar(
        select(func.sum(UsageDaily.events)).where(UsageDaily.account_id == account_id)
    )
    assert after == before == 4 * len(EVENTS)


def test_whole_days_with_at_most_one_sliced_dimension_read_the_daily_slices() -> None:
    window = {"account_id": ACCOUNT, "start": START, "end": END}
    assert rollup_for(**window).table is UsageDaily
    assert rollup_for(**window, by=["model", "customer"]).table is UsageDaily
    assert rollup_for(**window, by=["provider"], match={"agent": "a"}).table is UsageDaily
    assert rollup_for(**window, by=["agent"], match={"model": "m"}, bucket="day").table is (
        UsageDaily
    )


@pytest.mark.parametrize(
    "narrowing",
    [
        {"end": JUST_BEFORE_END},
        {"start": START + timedelta(hours=1)},
        {"bucket": "hour"},
        {"by": ["customer", "section"]},
        {"by": ["model"], "match": {"agent": "a", "customer": "c"}},
    ],
)
def test_partial_days_hour_buckets_and_two_sliced_dimensions_read_the_hourly_rollup(
    narrowing: dict[str, Any],
) -> None:
    window = {"account_id": ACCOUNT, "start": START, "end": END, **narrowing}
    assert rollup_for(**window).table is UsageHourly


def test_both_rollups_give_the_same_answers(db: DbSession, account_id: uuid.UUID) -> None:
    daily = dashboard_answers(db, account_id=account_id, start=START, end=END)
    hourly = dashboard_answers(db, account_id=account_id, start=START, end=JUST_BEFORE_END)
    assert daily == hourly
    assert daily["periods"].current.events == len(EVENTS)


def dashboard_answers(db: DbSession, **window: Any) -> dict[str, Any]:
    """What the dashboard's pages ask of the rollups for this window."""
    answers = {
        "periods": compare_periods(db, **window),
        "periods for one agent": compare_periods(db, **window, match={"agent": "planner"}),
        "series by model": cost_series(db, **window, bucket="day", split_by="model"),
        "series by customer": cost_series(db, **window, bucket="day", split_by="customer"),
        "one customer's series": cost_series(
            db, **window, bucket="day", split_by="model", match={"customer": "acme"}
        ),
    }
    for dimension in ("provider", "model", "customer", "section", "agent"):
        answers[f"top {dimension}"] = top_costs(
            db, **window, dimension=dimension, limit=10, total_cost_usd=Decimal(1)
        )
    for group in ("day", "provider", "model", "customer", "section", "agent"):
        answers[f"report by {group}"] = cost_report(db, **window, group_by=group)
    return answers
