"""After a batch is committed: the budgets it moved are re-read from the rollups, the
thresholds they reached are claimed (once per budget, threshold and period: the claim is a row
whose primary key two replicas cannot both insert), alerts are queued for the claimed ones, and
the account's blocked scopes are listed for the answer.

    evaluation = after_batch(db, account_id=a, budgets_version=v, events=batch.valid, now=now)
    evaluation.blocked      # None when the account never had a budget: the answer is unchanged
    evaluation.deliveries   # alerts to attempt now (budgets/alerts/)

An account without budgets costs nothing here (budgets/cache.py). One with budgets costs one
spend query per budget whose scope and current period an event of the batch falls in, and one
query for the blocked list when some budget is enforced.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.budgets.alerts.queue import queue_alerts
from llmobserve_server.budgets.cache import BudgetRule, budgets_for
from llmobserve_server.budgets.periods import period_bounds
from llmobserve_server.budgets.spend import spend
from llmobserve_server.budgets.thresholds import EXCEEDED, reached, thresholds_to_check
from llmobserve_server.db.models import BudgetCrossing

_CROSSINGS: Table = BudgetCrossing.__table__  # type: ignore[assignment]
CrossingKey = tuple[uuid.UUID, int, datetime, str]  # budget, revision, period start, threshold
_known: set[CrossingKey] = set()  # claimed crossings this process has seen committed
_KNOWN_LIMIT = 100_000


@dataclass(frozen=True)
class BlockedBudget:
    """An enforced budget that is exceeded now: calls in its scope wait until `until`."""

    budget_id: uuid.UUID
    name: str
    scope: dict[str, str]
    until: datetime


@dataclass(frozen=True)
class Evaluation:
    blocked: tuple[BlockedBudget, ...] | None
    deliveries: tuple[uuid.UUID, ...]


def after_batch(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    budgets_version: int,
    events: Sequence[Any],
    now: datetime,
) -> Evaluation:
    """Evaluate the account's budgets after a batch of `events` (anything with timestamp,
    customer_id, agent, section, provider and model) was committed; commits its own claims."""
    rules = budgets_for(db, account_id, version=budgets_version)
    if budgets_version == 0:
        return Evaluation(None, ())
    deliveries: list[uuid.UUID] = []
    claimed: list[CrossingKey] = []
    for rule in rules:
        start, end = period_bounds(rule.period, now)
        if any(start <= e.timestamp < end and rule.scope.covers(e) for e in events):
            deliveries.extend(evaluate(db, rule, now=now, claimed=claimed))
    blocked = blocked_budgets(db, rules, now=now)
    db.commit()
    remember(claimed)
    return Evaluation(blocked, tuple(deliveries))


def evaluate(
    db: DbSession, rule: BudgetRule, *, now: datetime, claimed: list[CrossingKey]
) -> list[uuid.UUID]:
    """Claim the thresholds `rule`'s current period has reached; queue the alerts of those this
    call claimed. The caller commits, then calls `remember(claimed)`."""
    start, end = period_bounds(rule.period, now)
    spent = spend(db, account_id=rule.account_id, scope=rule.scope, start=start, end=end)
    deliveries: list[uuid.UUID] = []
    for threshold in thresholds_to_check(rule.alert_at):
        if not reached(spent, rule.amount_usd, threshold):
            break
        key = (rule.id, rule.revision, start, threshold)
        if key in _known:
            continue
        claimed.append(key)
        if _claim(db, rule, start=start, threshold=threshold, spent=spent, now=now) and (
            threshold in rule.alert_at
        ):
            deliveries.extend(
                queue_alerts(
                    db, rule, period=(start, end), threshold=threshold, spent=spent, now=now
                )
            )
    return deliveries


def remember(claimed: Iterable[CrossingKey]) -> None:
    """Note committed claims, so that later batches skip them without a statement."""
    if len(_known) >= _KNOWN_LIMIT:
        _known.clear()
    _known.update(claimed)


def blocked_budgets(
    db: DbSession, rules: Sequence[BudgetRule], *, now: datetime
) -> tuple[BlockedBudget, ...]:
    """The enforced budgets whose current period has reached its amount."""
    enforced = {rule.id: rule for rule in rules if rule.enforce}
    if not enforced:
        return ()
    periods = {rule.id: period_bounds(rule.period, now) for rule in enforced.values()}
    rows = db.execute(
        select(
            BudgetCrossing.budget_id, BudgetCrossing.revision, BudgetCrossing.period_start
        ).where(
            BudgetCrossing.account_id == next(iter(enforced.values())).account_id,
            BudgetCrossing.budget_id.in_(list(enforced)),
            BudgetCrossing.threshold == EXCEEDED,
            BudgetCrossing.period_start >= min(start for start, _end in periods.values()),
        )
    )
    blocked = []
    for budget_id, revision, period_start in rows:
        rule = enforced[budget_id]
        start, end = periods[budget_id]
        if revision == rule.revision and period_start == start:
            blocked.append(BlockedBudget(rule.id, rule.name, rule.scope.as_dict(), end))
    return tuple(sorted(blocked, key=lambda b: (b.name, str(b.budget_id))))


def _claim(
    db: DbSession,
    rule: BudgetRule,
    *,
    start: datetime,
    threshold: str,
    spent: Decimal,
    now: datetime,
) -> bool:
    """Insert the crossing; False when it was already there (this or another process)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_CROSSINGS)
        .values(
            account_id=rule.account_id,
            budget_id=rule.id,
            revision=rule.revision,
            period_start=start,
            threshold=threshold,
            spent_usd=spent,
            crossed_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=["budget_id", "revision", "period_start", "threshold"]
        )
        .returning(_CROSSINGS.c.threshold)
    )
    return db.execute(statement).first() is not None
