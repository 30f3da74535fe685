"""Which accounts matter most right now: the biggest by volume and by cost tracked, and the ones
near or over their plan's monthly quota. Cross-account.

    top_by_events(db, now=now)           # this month, from usage_monthly (one row per account)
    top_by_cost(db, days=last_30_days)   # cost tracked on those days, from usage_daily
    near_quota(db, now=now)              # at 80 % of the plan's events or more, this month
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.admin.overview import whole_days
from llmobserve_server.billing.plans import PLANS, Plan, plan_for
from llmobserve_server.billing.quota import month_start
from llmobserve_server.db.models import Account, UsageDaily, UsageMonthly

TOP = 10
NEAR_QUOTA_PERCENT = 80  # the first usage email goes out here too (billing/usage_alerts.py)


@dataclass(frozen=True)
class RankedAccount:
    id: uuid.UUID
    name: str
    tier: str
    events: int
    cost_usd: Decimal | None = None  # only in the ranking by cost

    @property
    def plan(self) -> Plan:
        return plan_for(self.tier)


@dataclass(frozen=True)
class QuotaUse:
    id: uuid.UUID
    name: str
    tier: str
    used: int
    limit: int

    @property
    def plan(self) -> Plan:
        return plan_for(self.tier)

    @property
    def percent(self) -> int:
        return self.used * 100 // self.limit

    @property
    def over(self) -> bool:
        return self.used >= self.limit


def top_by_events(db: DbSession, *, now: datetime, limit: int = TOP) -> list[RankedAccount]:
    """The accounts that stored the most events in `now`'s month (as the quota counts them)."""
    rows = db.execute(
        select(Account.id, Account.name, Account.subscription_tier, UsageMonthly.events)
        .join(UsageMonthly, UsageMonthly.account_id == Account.id)
        .where(UsageMonthly.month == month_start(now), UsageMonthly.events > 0)
        .order_by(UsageMonthly.events.desc(), Account.name, Account.id)
        .limit(limit)
    ).all()
    return [RankedAccount(row.id, row.name, row.subscription_tier, int(row.events)) for row in rows]


def top_by_cost(db: DbSession, *, days: list[date], limit: int = TOP) -> list[RankedAccount]:
    """The accounts whose events on `days` (consecutive UTC days) cost the most: the LLM spend
    they track with us, not what they pay us. Reads the window's `usage_daily` rows only."""
    totals = (
        select(
            UsageDaily.account_id,
            func.sum(UsageDaily.events).label("events"),
            func.sum(UsageDaily.cost_usd).label("cost"),
        )
        .where(*whole_days(days))
        .group_by(UsageDaily.account_id)
        .subquery()
    )
    rows = db.execute(
        select(Account.id, Account.name, Account.subscription_tier, totals.c.events, totals.c.cost)
        .join(totals, totals.c.account_id == Account.id)
        .order_by(totals.c.cost.desc(), Account.name, Account.id)
        .limit(limit)
    ).all()
    return [
        RankedAccount(
            row.id, row.name, row.subscription_tier, int(row.events or 0), row.cost or Decimal(0)
        )
        for row in rows
    ]


def near_quota(db: DbSession, *, now: datetime, limit: int = 50) -> list[QuotaUse]:
    """Accounts at `NEAR_QUOTA_PERCENT` % of their plan's monthly events or more, fullest first
    (unlimited plans never are)."""
    thresholds: list[ColumnElement[bool]] = [
        (Account.subscription_tier == plan.tier)
        & (UsageMonthly.events * 100 >= plan.events_per_month * NEAR_QUOTA_PERCENT)
        for plan in PLANS.values()
        if plan.events_per_month is not None
    ]
    rows = db.execute(
        select(Account.id, Account.name, Account.subscription_tier, UsageMonthly.events)
        .join(UsageMonthly, UsageMonthly.account_id == Account.id)
        .where(UsageMonthly.month == month_start(now), or_(*thresholds))
    ).all()
    uses = []
    for row in rows:
        plan_limit = plan_for(row.subscription_tier).events_per_month
        if plan_limit is not None:
            uses.append(
                QuotaUse(row.id, row.name, row.subscription_tier, int(row.events), plan_limit)
            )
    uses.sort(key=lambda use: (-use.used / use.limit, use.name))
    return uses[:limit]
