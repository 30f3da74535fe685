"""A budget's spend: the sum of the costs of its scope's events in a period, read from the
rollups (`analytics.rollups.rollup_for` picks the daily slices when the scope names at most one
of customer, section and agent, else the hourly rollup). Periods start and end at UTC
midnights, so a period's spend is exact in either table."""

from __future__ import annotations

import uuid
from datetime import datetime
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


def scope_match(scope: Scope) -> dict[Dimension, str]:
    """The scope as the rollups' dimension match."""
    return {_MATCH_NAMES[name]: value for name, value in scope.as_dict().items()}


def spend(
    db: DbSession, *, account_id: uuid.UUID, scope: Scope, start: datetime, end: datetime
) -> Decimal:
    """What the scope's events with timestamps in [start, end) cost."""
    rollup = rollup_for(account_id=account_id, start=start, end=end, match=scope_match(scope))
    total = db.scalar(select(rollup.sum("cost_usd")).where(*rollup.filters))
    return Decimal(0) if total is None else Decimal(total)
