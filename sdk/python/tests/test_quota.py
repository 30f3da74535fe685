"""A used-up monthly quota: the collector answers 429 `quota_exceeded` with a Retry-After of
days. The SDK drops those batches with one warning, without waiting or retrying, and sends
again as soon as the collector takes events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from sqlalchemy import Table, delete, insert
from support.accounts import Account
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.models import UsageMonthly
from llmobserve_server.testing import RunningServer

_MONTHLY: Table = UsageMonthly.__table__  # type: ignore[assignment]


def set_month_usage(collector: RunningServer, account: Account, events: int) -> None:
    """Set the account's count for this month directly in the collector's database."""
    account_id = uuid.UUID(account.api.get("/v1/ping").json()["account"]["id"])
    now = datetime.now(timezone.utc)
    month = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    engine = create_db_engine(Settings(database_url=None, llmobserve_data_dir=collector.data_dir))
    try:
        with engine.begin() as connection:
            connection.execute(delete(_MONTHLY).where(_MONTHLY.c.account_id == account_id))
            connection.execute(
                insert(_MONTHLY).values(account_id=account_id, month=month, events=events)
            )
    finally:
        engine.dispose()


def test_a_used_up_quota_drops_batches_with_one_warning_and_without_retrying(
    start_sdk: Callable[..., None],
    proxy: FaultyProxy,
    account: Account,
    collector: RunningServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_month_usage(collector, account, 10_000)
    start_sdk(collector_url=proxy.url, batch_size=5)

    for _ in range(3):
        for index in range(5):
            llmobserve.track(f"over-{index}", cost_usd="1")
        assert llmobserve.flush(timeout=5)  # not held for the Retry-After of days

    assert [r.status for r in proxy.events_requests()] == [429, 429, 429]
    warnings = [r.getMessage() for r in caplog.records if "quota" in r.getMessage()]
    assert len(warnings) == 1
    assert "monthly event quota is used up" in warnings[0]
    assert "Free plan includes 10,000 events a month" in warnings[0]
    stats = llmobserve.stats()
    assert stats["failed"] == 15 and stats["retried"] == 0 and stats["queued"] == 0


def test_events_are_sent_again_once_the_quota_has_room(
    start_sdk: Callable[..., None],
    account: Account,
    collector: RunningServer,
) -> None:
    set_month_usage(collector, account, 10_000)
    start_sdk(batch_size=5)
    llmobserve.track("refused", cost_usd="1")
    assert llmobserve.flush(timeout=5)

    set_month_usage(collector, account, 0)  # a new month, or an upgrade
    llmobserve.track("accepted", cost_usd="1")
    assert llmobserve.flush(timeout=5)

    stats = llmobserve.stats()
    assert stats["failed"] == 1 and stats["sent"] == 1
    assert account.total_events() == 1
