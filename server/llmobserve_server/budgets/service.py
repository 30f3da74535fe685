"""Create, read, change and delete budgets; what `/v1/budgets` and the Budgets pages call.

Values arrive typed and range-checked (the API's models); the rules that need more than a type
live here and raise `Invalid` naming the field. A change to the amount, scope or period starts a
new revision: the old revision's crossings no longer block or count. Every write re-evaluates
the budget at once, so that a budget created over its amount blocks and alerts without waiting
for the next batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.tokens import random_token
from llmobserve_server.analytics.forecast import project
from llmobserve_server.analytics.projections import forecast_history
from llmobserve_server.budgets.alerts.targets import check_webhook_url
from llmobserve_server.budgets.cache import BudgetRule
from llmobserve_server.budgets.evaluation import CrossingKey, evaluate, remember
from llmobserve_server.budgets.periods import Period, period_bounds
from llmobserve_server.budgets.scope import DIMENSIONS, Scope
from llmobserve_server.budgets.spend import scope_match, spend
from llmobserve_server.budgets.thresholds import reached, threshold_key
from llmobserve_server.db.models import Budget, BudgetDelivery
from llmobserve_server.domain_errors import Conflict, NotFound

MAX_BUDGETS_PER_ACCOUNT = 500
DEFAULT_ALERT_AT = ("0.5", "0.8", "1")


@dataclass(frozen=True)
class BudgetFields:
    """A budget's settable fields; for a change, only those in `given` are applied."""

    name: str = ""
    scope: Scope = field(default_factory=Scope)
    period: Period = "month"
    amount_usd: Decimal = Decimal(0)
    alert_at: tuple[Decimal, ...] = tuple(Decimal(t) for t in DEFAULT_ALERT_AT)
    enforce: bool = False
    emails: tuple[str, ...] = ()
    webhook_url: str | None = None
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SavedBudget:
    budget: Budget
    webhook_secret: str | None  # set only when this write created it: shown once
    deliveries: tuple[uuid.UUID, ...]  # alerts queued by the write's evaluation


@dataclass(frozen=True)
class BudgetStatus:
    spent_usd: Decimal
    period_start: datetime
    period_end: datetime
    forecast_usd: Decimal
    state: str  # ok | alerting | exceeded
    projected_exceed_on: date | None  # analytics/forecast.py: `Forecast.exceed_on`


def create_budget(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    fields: BudgetFields,
    production: bool,
    now: datetime | None = None,
) -> SavedBudget:
    """Add a budget and evaluate it; the caller commits."""
    now = now or datetime.now(timezone.utc)
    count = db.scalar(select(func.count(Budget.id)).where(Budget.account_id == account_id)) or 0
    if count >= MAX_BUDGETS_PER_ACCOUNT:
        raise Conflict(
            "too_many_budgets",
            f"An account can have {MAX_BUDGETS_PER_ACCOUNT} budgets; delete some first.",
        )
    if fields.webhook_url:
        check_webhook_url(fields.webhook_url, production=production)
    secret = _new_secret() if fields.webhook_url else None
    budget = Budget(
        id=uuid.uuid4(),
        account_id=account_id,
        name=fields.name,
        period=fields.period,
        amount_usd=fields.amount_usd,
        alert_at=_alert_keys(fields.alert_at),
        enforce=fields.enforce,
        notify_emails=list(fields.emails),
        webhook_url=fields.webhook_url or None,
        webhook_secret=secret,
        revision=0,
        created_at=now,
        updated_at=now,
        **{name: getattr(fields.scope, name) for name in DIMENSIONS},
    )
    db.add(budget)
    db.flush()
    return SavedBudget(budget, secret, _evaluate_now(db, budget, now))


def update_budget(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    budget_id: uuid.UUID,
    fields: BudgetFields,
    production: bool,
    now: datetime | None = None,
) -> SavedBudget:
    """Apply the given fields and re-evaluate; the caller commits."""
    now = now or datetime.now(timezone.utc)
    budget = get_budget(db, account_id=account_id, budget_id=budget_id)
    given = fields.given
    before = (Scope.of(budget), budget.period, budget.amount_usd)
    if "name" in given:
        budget.name = fields.name
    if "scope" in given:
        for name in DIMENSIONS:
            setattr(budget, name, getattr(fields.scope, name))
    if "period" in given:
        budget.period = fields.period
    if "amount_usd" in given:
        budget.amount_usd = fields.amount_usd
    if "alert_at" in given:
        budget.alert_at = _alert_keys(fields.alert_at)
    if "enforce" in given:
        budget.enforce = fields.enforce
    if "emails" in given:
        budget.notify_emails = list(fields.emails)
    secret = None
    if "webhook_url" in given:
        if fields.webhook_url:
            check_webhook_url(fields.webhook_url, production=production)
            if budget.webhook_secret is None:
                secret = budget.webhook_secret = _new_secret()
        budget.webhook_url = fields.webhook_url or None
    if (Scope.of(budget), budget.period, budget.amount_usd) != before:
        budget.revision += 1
    budget.updated_at = now
    db.flush()
    return SavedBudget(budget, secret, _evaluate_now(db, budget, now))


def delete_budget(db: DbSession, *, account_id: uuid.UUID, budget_id: uuid.UUID) -> None:
    db.delete(get_budget(db, account_id=account_id, budget_id=budget_id))
    db.flush()


def get_budget(db: DbSession, *, account_id: uuid.UUID, budget_id: uuid.UUID) -> Budget:
    """The account's budget, or NotFound (also for another account's id)."""
    budget = db.scalar(
        select(Budget).where(Budget.account_id == account_id, Budget.id == budget_id)
    )
    if budget is None:
        raise NotFound("budget_not_found", "No budget with this id in your account.")
    return budget


def list_budgets(db: DbSession, *, account_id: uuid.UUID) -> list[Budget]:
    return list(
        db.scalars(
            select(Budget)
            .where(Budget.account_id == account_id)
            .order_by(Budget.created_at, Budget.id)
        )
    )


def budget_status(db: DbSession, budget: Budget, *, now: datetime | None = None) -> BudgetStatus:
    """The budget's current period: spend so far, projection (analytics/forecast.py) and state."""
    now = now or datetime.now(timezone.utc)
    scope = Scope.of(budget)
    start, end = period_bounds(budget.period, now)  # type: ignore[arg-type]
    spent = spend(db, account_id=budget.account_id, scope=scope, start=start, end=end)
    history = forecast_history(db, account_id=budget.account_id, now=now, match=scope_match(scope))
    projection = project(history, spent=spent, now=now, end=end, amount=budget.amount_usd)
    if reached(spent, budget.amount_usd, "1"):
        state = "exceeded"
    elif any(reached(spent, budget.amount_usd, t) for t in budget.alert_at):
        state = "alerting"
    else:
        state = "ok"
    return BudgetStatus(spent, start, end, projection.projected_usd, state, projection.exceed_on)


def _evaluate_now(db: DbSession, budget: Budget, now: datetime) -> tuple[uuid.UUID, ...]:
    claimed: list[CrossingKey] = []
    deliveries = evaluate(db, BudgetRule.of(budget), now=now, claimed=claimed)
    # Not `remember`ed until committed: the API commits, then calls `committed`.
    db.info.setdefault("budget_claims", []).extend(claimed)
    return tuple(deliveries)


def committed(db: DbSession) -> None:
    """Call after committing a write: its claimed crossings are known from now on."""
    remember(db.info.pop("budget_claims", []))


def _alert_keys(values: tuple[Decimal, ...]) -> list[str]:
    return sorted({threshold_key(value) for value in values}, key=Decimal)


def _new_secret() -> str:
    return "whsec_" + random_token(24)


def list_deliveries(
    db: DbSession, *, account_id: uuid.UUID, budget_id: uuid.UUID, limit: int = 100
) -> list[BudgetDelivery]:
    """The budget's alert deliveries, newest first (NotFound for another account's budget)."""
    get_budget(db, account_id=account_id, budget_id=budget_id)
    return list(
        db.scalars(
            select(BudgetDelivery)
            .where(BudgetDelivery.account_id == account_id, BudgetDelivery.budget_id == budget_id)
            .order_by(BudgetDelivery.created_at.desc(), BudgetDelivery.id)
            .limit(limit)
        )
    )
