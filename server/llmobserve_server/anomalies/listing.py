"""An account's recent unusual spend, as the dashboard says it:
"gpt-4o for acme, $48.00 vs usually $6.00"."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import SpendAnomaly
from llmobserve_server.money import display_usd

RECENT_DAYS = 7
MAX_LISTED = 10


def recent_anomalies(
    db: DbSession, *, account_id: uuid.UUID, now: datetime, limit: int = MAX_LISTED
) -> list[SpendAnomaly]:
    """The account's anomalies of the last `RECENT_DAYS` days, newest day first, then the
    largest."""
    return list(
        db.scalars(
            select(SpendAnomaly)
            .where(
                SpendAnomaly.account_id == account_id,
                SpendAnomaly.day >= now - timedelta(days=RECENT_DAYS),
            )
            .order_by(SpendAnomaly.day.desc(), SpendAnomaly.spent_usd.desc(), SpendAnomaly.id)
            .limit(limit)
        )
    )


def describe(anomaly: SpendAnomaly) -> str:
    """ "gpt-4o for acme, $48.00 vs usually $6.00" (or "… without a customer, …")."""
    who = f"for {anomaly.customer_id}" if anomaly.customer_id else "without a customer"
    return (
        f"{anomaly.model} {who}, {display_usd(anomaly.spent_usd)} "
        f"vs usually {display_usd(anomaly.usual_usd)}"
    )
