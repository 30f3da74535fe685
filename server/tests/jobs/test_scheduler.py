"""The retention job inside a real server: it runs on its own every RETENTION_INTERVAL_HOURS."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import Engine

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.testing import RunningServer, run_server
from tests.support.factories import sign_up
from tests.support.stored_data import DAY, HOUR, stored_event_ids


@pytest.fixture
def retaining_server(settings: Settings, backend: str) -> Iterator[RunningServer]:
    """A server of its own whose retention job runs every 3.6 seconds."""
    with run_server(
        backend=backend,
        database_url=settings.database_url,
        data_dir=settings.llmobserve_data_dir,
        extra_env={"RETENTION_INTERVAL_HOURS": "0.001"},
    ) as running:
        yield running


def ingest(base_url: str, key: str, *timestamps: datetime) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in timestamps]
    events = [
        {"id": str(event_id), "timestamp": at.isoformat(), "name": "old or new", "cost_usd": 0.01}
        for event_id, at in zip(ids, timestamps, strict=True)
    ]
    response = httpx.post(
        f"{base_url}/v1/events",
        json={"events": events},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(events)
    return ids


def wait_until_gone(engine: Engine, account: uuid.UUID, event_id: uuid.UUID) -> None:
    deadline = time.monotonic() + 30
    while event_id in stored_event_ids(engine, account):
        assert time.monotonic() < deadline, "the scheduled retention run never deleted the event"
        time.sleep(0.2)


def test_the_server_runs_retention_on_its_schedule(
    retaining_server: RunningServer, settings: Settings
) -> None:
    user = sign_up(retaining_server.base_url)
    now = datetime.now(timezone.utc)
    expired, recent = ingest(
        retaining_server.base_url, user.create_key(), now - 8 * DAY, now - HOUR
    )
    engine = create_db_engine(settings)
    try:
        wait_until_gone(engine, uuid.UUID(user.account_id), expired)
        assert stored_event_ids(engine, uuid.UUID(user.account_id)) == {recent}
    finally:
        engine.dispose()
        user.client.close()
    retaining_server.wait_for_log("Retention deleted")  # logged after the commit


def test_the_server_serves_while_a_failing_run_is_logged_and_retried(
    settings: Settings, backend: str
) -> None:
    """Without its tables (no migrations), every run fails; the server keeps answering."""
    with run_server(
        backend=backend,
        database_url=settings.database_url,
        data_dir=settings.llmobserve_data_dir,
        extra_env={"RETENTION_INTERVAL_HOURS": "0.0005", "AUTO_MIGRATE": "false"},
    ) as running:
        running.wait_for_log("job retention failed", count=2)
        assert httpx.get(f"{running.base_url}/healthz", timeout=10).status_code == 200
