"""The install at a glance: growth, activity, volume, plans and revenue. Cross-account.

    overview = platform_overview(db, now=datetime.now(timezone.utc))
    overview.signups[-1]        # DayCount(day=date(2026, 11, 27), count=3)
    overview.active_7d, overview.mrr_usd

Sources, chosen so that no query reads more than its window:
- sign-ups: `users.created_at` (one row per person, people who joined by invitation included),
  over the last `DAYS` days;
- events per day: the `usage_daily` rollup's all-events slice, by the events' own day: a few
  rows per account and day, only the window's;
- active accounts: `usage_hourly`, probing each account's (account_id, hour) primary-key range
  for one row since the cut-off, so it never reads an account's whole history;
- events this month: `usage_monthly` (the quota's counter, by month of receipt, markers and
  duplicates not counted), one row per account;
- plans and revenue: `accounts` and the prices in `billing/plans.py`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.admin.days import day_of, day_start, last_days
from llmobserve_server.analytics.dimensions import utc_day
from llmobserve_server.billing.plans import PLANS, plan_for
from llmobserve_server.billing.quota import month_start
from llmobserve_server.db.models import Account, UsageDaily, UsageHourly, UsageMonthly, User

DAYS = 30


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class DayVolume:
    day: date
    events: int
    cost_usd: Decimal


@dataclass(frozen=True)
class PlanCount:
    tier: str
    name: str
    accounts: int


@dataclass(frozen=True)
class Revenue:
    """Paying accounts: on a plan with a monthly price above $0, whoever set it. Those with a
    Stripe subscription were set by Stripe's webhooks; the others by `set-tier` or the console
    (invoiced outside Stripe, or given for free: the console says how many)."""

    paying: int
    via_stripe: int
    mrr_usd: Decimal

    @property
    def set_by_hand(self) -> int:
        return self.paying - self.via_stripe


@dataclass(frozen=True)
class PlatformOverview:
    signups: list[DayCount]  # one per day of the window, oldest first
    volume: list[DayVolume]  # one per day of the window, oldest first
    active_7d: int
    active_30d: int
    events_this_month: int
    plans: list[PlanCount]  # every plan of plans.py, cheapest first
    accounts: int
    disabled: int
    revenue: Revenue

    @property
    def signups_total(self) -> int:
        return sum(day.count for day in self.signups)

    @property
    def events_total(self) -> int:
        return sum(day.events for day in self.volume)


def platform_overview(db: DbSession, *, now: datetime, days: int = DAYS) -> PlatformOverview:
    window = last_days(now, days)
    start = day_start(window[0])
    plans = accounts_per_plan(db)
    return PlatformOverview(
        signups=signups_per_day(db, start=start, days=window),
        volume=events_per_day(db, days=window),
        active_7d=active_accounts(db, since=now - timedelta(days=7)),
        active_30d=active_accounts(db, since=now - timedelta(days=30)),
        events_this_month=events_in_month(db, now=now),
        plans=plans,
        accounts=sum(plan.accounts for plan in plans),
        disabled=disabled_accounts(db),
        revenue=revenue(db),
    )


def signups_per_day(db: DbSession, *, start: datetime, days: list[date]) -> list[DayCount]:
    day = utc_day(db, User.created_at).label("day")
    rows = db.execute(
        select(day, func.count().label("people")).where(User.created_at >= start).group_by(day)
    ).all()
    counts = {day_of(row.day): int(row.people) for row in rows}
    return [DayCount(moment, counts.get(moment, 0)) for moment in days]


def events_per_day(
    db: DbSession, *, days: list[date], account_id: uuid.UUID | None = None
) -> list[DayVolume]:
    """Events and cost per UTC day of the events' timestamps over `days` (consecutive), every
    account together or one account. Reads `usage_daily`'s all-events slice (dimension ""): a
    few rows per account and day, where `usage_hourly` holds one per hour and key."""
    query = (
        select(
            UsageDaily.day,
            func.sum(UsageDaily.events).label("events"),
            func.sum(UsageDaily.cost_usd).label("cost"),
        )
        .where(*whole_days(days))
        .group_by(UsageDaily.day)
    )
    if account_id is not None:
        query = query.where(UsageDaily.account_id == account_id)
    totals = {
        row.day.date(): (int(row.events or 0), row.cost or Decimal(0)) for row in db.execute(query)
    }
    return [DayVolume(moment, *totals.get(moment, (0, Decimal(0)))) for moment in days]


def whole_days(days: list[date]) -> list[ColumnElement[bool]]:
    """`usage_daily` rows of every event (the "" slice) on `days` (consecutive)."""
    return [
        UsageDaily.dimension == "",
        UsageDaily.day >= day_start(days[0]),
        UsageDaily.day < day_start(days[-1]) + timedelta(days=1),
    ]


def active_accounts(db: DbSession, *, since: datetime) -> int:
    """Accounts with at least one event (by its timestamp) since `since`: one primary-key probe
    per account, rather than a scan of every rollup row in the window."""
    has_events = (
        select(UsageHourly.account_id)
        .where(UsageHourly.account_id == Account.id, UsageHourly.hour >= since)
        .exists()
    )
    return int(db.scalar(select(func.count()).select_from(Account).where(has_events)) or 0)


def events_in_month(db: DbSession, *, now: datetime) -> int:
    """Events stored in `now`'s UTC month by every account, as the quota counts them."""
    total = db.scalar(
        select(func.sum(UsageMonthly.events)).where(UsageMonthly.month == month_start(now))
    )
    return int(total or 0)


def accounts_per_plan(db: DbSession) -> list[PlanCount]:
    rows = db.execute(
        select(Account.subscription_tier, func.count()).group_by(Account.subscription_tier)
    ).all()
    counts = {str(tier): int(count) for tier, count in rows}
    return [PlanCount(plan.tier, plan.name, counts.get(plan.tier, 0)) for plan in PLANS.values()]


def disabled_accounts(db: DbSession) -> int:
    query = select(func.count()).select_from(Account).where(Account.disabled_at.is_not(None))
    return int(db.scalar(query) or 0)


def revenue(db: DbSession) -> Revenue:
    """Monthly recurring revenue: paying accounts × their plan's monthly price (plans.py).
    Enterprise is priced per contract, so it is counted in neither."""
    priced = [plan.tier for plan in PLANS.values() if (plan.price_usd_per_month or 0) > 0]
    rows = db.execute(
        select(
            Account.subscription_tier,
            func.count().label("accounts"),
            func.count(Account.stripe_subscription_id).label("via_stripe"),
        )
        .where(Account.subscription_tier.in_(priced))
        .group_by(Account.subscription_tier)
    ).all()
    mrr = sum(
        (plan_for(row.subscription_tier).price_usd_per_month or Decimal(0)) * int(row.accounts)
        for row in rows
    )
    return Revenue(
        paying=sum(int(row.accounts) for row in rows),
        via_stripe=sum(int(row.via_stripe) for row in rows),
        mrr_usd=Decimal(mrr),
    )
