"""Setting an account's monthly event count directly in the server's database: seeding 9,990
events over HTTP would take longer than the test."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import Table, delete, insert

from llmobserve_server.billing.quota import month_start
from llmobserve_server.db.models import UsageMonthly
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import connect

_MONTHLY: Table = UsageMonthly.__table__  # type: ignore[assignment]


def set_month_usage(
    server: RunningServer, account_id: str, events: int, *, month: datetime | None = None
) -> None:
    """The account's count for `month` (default: this one) becomes `events`."""
    key = month_start(month or datetime.now(timezone.utc))
    with connect(server) as connection:
        connection.execute(
            delete(_MONTHLY).where(
                _MONTHLY.c.account_id == uuid.UUID(account_id), _MONTHLY.c.month == key
            )
        )
        connection.execute(
            insert(_MONTHLY).values(account_id=uuid.UUID(account_id), month=key, events=events)
        )
