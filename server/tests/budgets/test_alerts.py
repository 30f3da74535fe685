"""Budget alerts: each threshold crossed sends one email (to the listed addresses, else the
owners) and one signed webhook, once per period; failed webhooks are retried with backoff for
24 hours, every attempt in the delivery log."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.budgets.alerts.delivery import run_due_deliveries
from llmobserve_server.budgets.alerts.signing import verify
from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine, create_session_factory
from llmobserve_server.testing import RunningServer
from tests.budgets.helpers import create_budget, spend
from tests.support.factories import SignedInUser, key_client, sign_up
from tests.support.mail import Mailbox, text_of
from tests.support.webhooks import WebhookReceiver


@pytest.fixture
def owner(mail_server: RunningServer) -> Iterator[SignedInUser]:
    signed_in = sign_up(mail_server.base_url)
    yield signed_in
    signed_in.client.close()


@pytest.fixture
def owner_sessions(mail_server: RunningServer) -> Iterator[sessionmaker[DbSession]]:
    """Sessions on the server's database as the tables' owner (what the delivery job uses)."""
    settings = Settings(
        database_url=mail_server.full_access_url, llmobserve_data_dir=mail_server.data_dir
    )
    engine = create_db_engine(settings)
    yield create_session_factory(engine)
    engine.dispose()


def test_crossing_a_threshold_emails_the_listed_addresses_once(
    mail_server: RunningServer, mailbox: Mailbox, owner: SignedInUser
) -> None:
    ops = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    create_budget(
        owner.client,
        name="Acme",
        scope={"customer_id": "acme"},
        amount_usd="10",
        alert_at=[0.8],
        notify={"emails": [ops]},
    )
    with key_client(mail_server.base_url, owner.create_key()) as client:
        spend(client, "7.99", customer_id="acme")
        spend(client, "0.01", customer_id="acme")  # 8.00: 80 %
        message = mailbox.wait_for(ops)
        spend(client, "1", customer_id="acme")  # still past 80 %: no second email
    assert str(message["Subject"]) == "Budget Acme reached 80 %: $8.00 of $10.00"
    assert "customer_id acme" in text_of(message)
    time.sleep(1.5)
    assert len(mailbox.to(ops)) == 1
    assert mailbox.to(owner.email) == []


def test_without_listed_addresses_the_owners_are_emailed(
    mail_server: RunningServer, mailbox: Mailbox, owner: SignedInUser
) -> None:
    create_budget(owner.client, name="All", amount_usd="1", alert_at=[1])
    with key_client(mail_server.base_url, owner.create_key()) as client:
        spend(client, "1")
    assert str(mailbox.wait_for(owner.email)["Subject"]).startswith("Budget All is exceeded")


def test_the_webhook_is_a_json_post_signed_with_the_budgets_secret(
    mail_server: RunningServer, owner: SignedInUser, webhooks: WebhookReceiver
) -> None:
    budget = create_budget(
        owner.client,
        amount_usd="10",
        alert_at=[0.5],
        notify={"webhook_url": webhooks.url + "/hook"},
    )
    with key_client(mail_server.base_url, owner.create_key()) as client:
        spend(client, "5")
    received = webhooks.wait_for("/hook")
    signature = received.headers["X-Llmobserve-Signature"]
    assert verify(budget["webhook_secret"], received.body, signature, now=int(time.time()))
    assert not verify("whsec_wrong", received.body, signature, now=int(time.time()))
    payload = json.loads(received.body)
    assert payload["type"] == "budget.threshold_reached"
    assert payload["budget"]["id"] == budget["id"]
    assert payload["threshold"] == 0.5
    assert payload["spent_usd"] == "5.000000"


def test_a_failed_webhook_is_retried_with_backoff_and_logged(
    mail_server: RunningServer,
    owner: SignedInUser,
    webhooks: WebhookReceiver,
    owner_sessions: sessionmaker[DbSession],
) -> None:
    webhooks.status = 500
    budget = create_budget(
        owner.client, amount_usd="1", alert_at=[1], notify={"webhook_url": webhooks.url + "/r"}
    )
    with key_client(mail_server.base_url, owner.create_key()) as client:
        spend(client, "1")
    webhooks.wait_for("/r")
    log = f"/v1/budgets/{budget['id']}/deliveries"
    hook = _wait_for_attempts(owner, log, "webhook", 1)
    assert hook["state"] == "pending"
    assert hook["attempts"][0]["status"] == 500

    settings = Settings(public_url=mail_server.base_url)
    now = datetime.now(timezone.utc)
    assert run_due_deliveries(owner_sessions, settings, now=now) == 0  # not due for a minute
    webhooks.status = 204
    run_due_deliveries(owner_sessions, settings, now=now + timedelta(minutes=2))
    hook = _wait_for_attempts(owner, log, "webhook", 2)
    assert hook["state"] == "delivered"
    assert [a["ok"] for a in hook["attempts"]] == [False, True]
    assert len(webhooks.to("/r")) == 2


def test_a_webhook_that_keeps_failing_is_given_up_after_24_hours(
    mail_server: RunningServer,
    owner: SignedInUser,
    webhooks: WebhookReceiver,
    owner_sessions: sessionmaker[DbSession],
) -> None:
    webhooks.status = 503
    budget = create_budget(
        owner.client, amount_usd="1", alert_at=[1], notify={"webhook_url": webhooks.url + "/f"}
    )
    with key_client(mail_server.base_url, owner.create_key()) as client:
        spend(client, "1")
    log = f"/v1/budgets/{budget['id']}/deliveries"
    _wait_for_attempts(owner, log, "webhook", 1)
    settings = Settings(public_url=mail_server.base_url)
    start = datetime.now(timezone.utc)
    for hours in range(1, 27):
        run_due_deliveries(owner_sessions, settings, now=start + timedelta(hours=hours))
    hook = _delivery(owner, log, "webhook")
    assert hook["state"] == "failed"
    assert 5 <= len(hook["attempts"]) <= 12
    assert hook["next_attempt_at"] is None


def _delivery(owner: SignedInUser, log: str, channel: str) -> dict[str, Any]:
    found = [d for d in owner.client.get(log).json()["deliveries"] if d["channel"] == channel]
    assert len(found) == 1, found
    return dict(found[0])


def _wait_for_attempts(owner: SignedInUser, log: str, channel: str, count: int) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        delivery = _delivery(owner, log, channel)
        attempts = delivery["attempts"]
        assert isinstance(attempts, list)
        if len(attempts) >= count:
            return delivery
        assert time.monotonic() < deadline, delivery
        time.sleep(0.1)
