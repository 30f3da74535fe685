"""Each threshold of a period is claimed once: processes evaluating the same budget at the
same moment (replicas ingesting batches of the same account) queue its alerts once between
them. Run against the real databases, with one session per thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from llmobserve_server.analytics.forecast import project
from llmobserve_server.analytics.projections import forecast_history
from llmobserve_server.budgets.cache import BudgetRule
from llmobserve_server.budgets.evaluation import CrossingKey, evaluate
from llmobserve_server.budgets.periods import period_bounds
from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import upgrade
from llmobserve_server.db.models import Budget, BudgetCrossing, BudgetDelivery, UsageDaily
from tests.support.databases import database_for
from tests.support.stored_data import add_account

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
THREADS = 4


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database_for(backend, "budget_claims") as url:
        engine = create_db_engine(Settings(database_url=url, llmobserve_data_dir=tmp_path))
        upgrade(engine)
        yield engine
        engine.dispose()


def spent(engine: Engine, account_id: uuid.UUID, day: datetime, cost: str) -> None:
    with Session(engine) as db, db.begin():
        db.add(
            UsageDaily(
                account_id=account_id, day=day, dimension="", value="", provider="openai",
                model="m", events=1, unpriced_events=0, input_tokens=0, cached_input_tokens=0,
                cache_write_input_tokens=0, output_tokens=0, reasoning_tokens=0,
                cost_usd=Decimal(cost),
            )
        )  # fmt: skip


def a_budget(engine: Engine, account_id: uuid.UUID, amount: str) -> BudgetRule:
    with Session(engine, expire_on_commit=False) as db, db.begin():
        budget = Budget(
            id=uuid.uuid4(), account_id=account_id, name="b", period="month",
            amount_usd=Decimal(amount), alert_at=["0.5", "0.8"], enforce=True,
            notify_emails=["ops@example.com"], revision=0, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        db.add(budget)
    return BudgetRule.of(budget)


def test_concurrent_evaluations_claim_each_threshold_once(engine: Engine) -> None:
    account_id = add_account(engine, "free")
    spent(engine, account_id, datetime(2026, 12, 3, tzinfo=timezone.utc), "9")
    rule = a_budget(engine, account_id, "10")
    start = threading.Barrier(THREADS)
    queued: list[uuid.UUID] = []

    def evaluate_once() -> None:
        with Session(engine) as db:
            start.wait()
            claimed: list[CrossingKey] = []
            queued.extend(evaluate(db, rule, now=NOW, claimed=claimed))
            db.commit()

    threads = [threading.Thread(target=evaluate_once) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with Session(engine) as db:
        crossings = db.scalars(select(BudgetCrossing.threshold)).all()
        deliveries = db.scalar(select(func.count(BudgetDelivery.id)))
    assert sorted(crossings) == ["0.5", "0.8"]  # 90 %: both alerted, not yet "1"
    assert deliveries == 2 and len(queued) == 2  # one email for each threshold, in all


def test_the_forecast_reads_the_full_days_before_today_from_the_rollup(engine: Engine) -> None:
    account_id = add_account(engine, "free")
    for day in range(1, 8):  # Dec 1-7 (Dec 7 is today: not a full day)
        spent(engine, account_id, datetime(2026, 12, day, tzinfo=timezone.utc), "2")
    start, end = period_bounds("month", NOW)
    with Session(engine) as db:
        history = forecast_history(db, account_id=account_id, now=NOW)
    projection = project(history, spent=Decimal(14), now=NOW, end=end, amount=Decimal(50))
    # Dec 1-6 cost $2 a day (a series 6 days old: its mean); 24.5 days left at $2.
    assert history == {date(2026, 12, day): Decimal(2) for day in range(1, 7)}
    assert projection.projected_usd == Decimal(63)
    assert projection.exceed_on == date(2026, 12, 25)  # $14 + $1 today + 18 x $2 = $51 by Dec 25
    assert start == datetime(2026, 12, 1, tzinfo=timezone.utc)
