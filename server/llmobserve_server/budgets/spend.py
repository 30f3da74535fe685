"""A budget's spend: the sum of the costs of its scope's events in a period, read from the
rollups (`analytics.rollups.rollup_for` picks the daily slices when the scope names at most one
of customer, section and agent, else the hourly rollup). Periods start and end at UTC
midnights, so a period's spend is exact in either table."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.rollups import rollup_for
from llmobserve_server.budgets.scope import Scope

_MATCH_NAMES: dict[str, Dimension] = {
    "customer_id": "customer",
    "agent": "agent",
    "section": "section",
    "provider": "provider",
    "model": "model",
}
_CENTS = Decimal("0.000001")
RUN_RATE_DAYS = 7


def spend(
    db: DbSession, *, account_id: uuid.UUID, scope: Scope, start: datetime, end: datetime
) -> Decimal:
    """What the scope's events with timestamps in [start, end) cost."""
    match = {_MATCH_NAMES[name]: value for name, value in scope.as_dict().items()}
    rollup = rollup_for(account_id=account_id, start=start, end=end, match=match)
    total = db.scalar(select(rollup.sum("cost_usd")).where(*rollup.filters))
    return Decimal(0) if total is None else Decimal(total)


def forecast(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    scope: Scope,
    spent: Decimal,
    now: datetime,
    end: datetime,
) -> Decimal:
    """The period's projected spend: spent so far plus the daily run-rate of the last
    RUN_RATE_DAYS full UTC days times the days left (fractions of a day included)."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    recent = spend(
        db,
        account_id=account_id,
        scope=scope,
        start=today - timedelta(days=RUN_RATE_DAYS),
        end=today,
    )
    days_left = Decimal(max((end - now).total_seconds(), 0)) / Decimal(86400)
    return (spent + recent / RUN_RATE_DAYS * days_left).quantize(_CENTS)
