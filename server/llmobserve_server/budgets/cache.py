"""The account's budgets as ingestion evaluates them, kept per process.

Every batch's API key lookup reads the account's `budgets_version`, which a database trigger
moves on every change to its budgets (migration 013_budgets). An account that never had a
budget is at version 0: its batches cost no query at all. Others reload their budgets only when
the version has moved, like the price overrides (ingest/overrides.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.budgets.periods import Period
from llmobserve_server.budgets.scope import Scope
from llmobserve_server.db.models import Budget

_CACHED_ACCOUNTS = 10_000  # past this many, the cache starts again


@dataclass(frozen=True)
class BudgetRule:
    """What evaluating a budget needs, detached from any database session."""

    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    scope: Scope
    period: Period
    amount_usd: Decimal
    alert_at: tuple[str, ...]
    enforce: bool
    revision: int
    notify_emails: tuple[str, ...]
    webhook_url: str | None
    webhook_secret: str | None

    @classmethod
    def of(cls, budget: Budget) -> BudgetRule:
        return cls(
            id=budget.id,
            account_id=budget.account_id,
            name=budget.name,
            scope=Scope.of(budget),
            period=budget.period,  # type: ignore[arg-type]  # checked on the way in
            amount_usd=budget.amount_usd,
            alert_at=tuple(budget.alert_at),
            enforce=budget.enforce,
            revision=budget.revision,
            notify_emails=tuple(budget.notify_emails),
            webhook_url=budget.webhook_url,
            webhook_secret=budget.webhook_secret,
        )


_cache: dict[uuid.UUID, tuple[int, tuple[BudgetRule, ...]]] = {}


def budgets_for(db: DbSession, account_id: uuid.UUID, *, version: int) -> tuple[BudgetRule, ...]:
    """The account's budgets at `version` (its `budgets_version` in this transaction)."""
    if version == 0:
        return ()
    cached = _cache.get(account_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    rules = tuple(
        BudgetRule.of(budget)
        for budget in db.scalars(select(Budget).where(Budget.account_id == account_id))
    )
    if len(_cache) >= _CACHED_ACCOUNTS:
        _cache.clear()
    _cache[account_id] = (version, rules)
    return rules
