"""Billing tests: a server with Stripe settings against `fake_stripe`, and helpers to upgrade."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import execute, uuid_param
from tests.support.factories import SignedInUser, sign_up
from tests.support.fake_stripe import FakeStripe, billing_server, fake_stripe  # noqa: F401

MakeOwner = Callable[[], SignedInUser]


@pytest.fixture
def make_owner(billing_server: RunningServer) -> Iterator[MakeOwner]:  # noqa: F811
    """Sign up a new user (the owner of a new Free account) on `billing_server`."""
    made: list[SignedInUser] = []

    def make() -> SignedInUser:
        user = sign_up(billing_server.base_url)
        made.append(user)
        return user

    yield make
    for user in made:
        user.client.close()


def tier_of(user: SignedInUser) -> str:
    response = user.client.get("/v1/ping")
    assert response.status_code == 200, response.text
    return str(response.json()["account"]["subscription_tier"])


def start_checkout(owner: SignedInUser) -> str:
    """Press Upgrade; the Checkout Session's id (the 303 goes to the fake's checkout page)."""
    response = owner.client.post("/settings/billing/checkout")
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def upgrade(owner: SignedInUser, fake: FakeStripe) -> tuple[str, str]:
    """Upgrade and pay: (customer id, subscription id) once the webhook made the account Pro."""
    session_id = start_checkout(owner)
    fake.pay(session_id)
    assert tier_of(owner) == "pro"
    customer = str(fake.sessions[session_id]["customer"])
    return customer, fake.subscriptions[customer]


def add_member(server: RunningServer, owner: SignedInUser, role: str = "member") -> SignedInUser:
    """A new user who also belongs to `owner`'s account (with `role`) and has switched to it."""
    user = sign_up(server.base_url)
    now = datetime.now(timezone.utc)
    execute(
        server,
        "INSERT INTO memberships (user_id, account_id, role, created_at) "
        "VALUES (:user_id, :account_id, :role, :now)",
        user_id=uuid_param(server, user.user_id),
        account_id=uuid_param(server, owner.account_id),
        role=role,
        now=now.replace(tzinfo=None) if server.backend == "sqlite" else now,
    )
    switched = user.client.post("/switch-account", data={"account_id": owner.account_id})
    assert switched.status_code == 303, switched.text
    return user
