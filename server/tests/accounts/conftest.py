"""Accounts tests run against `mail_server`, which sends email to the `mailbox` SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import set_tier
from tests.support.factories import SignedInUser, sign_up

MakeUser = Callable[..., SignedInUser]


@pytest.fixture
def make_user(mail_server: RunningServer) -> Iterator[MakeUser]:
    """Sign up users on `mail_server`: make_user(tier="pro", email=None)."""
    made: list[SignedInUser] = []

    def make(*, tier: str = "free", email: str | None = None) -> SignedInUser:
        user = sign_up(mail_server.base_url, email=email)
        if tier != "free":
            set_tier(mail_server, user.account_id, tier)
        made.append(user)
        return user

    yield make
    for user in made:
        user.client.close()


@pytest.fixture
def browser(mail_server: RunningServer) -> Iterator[httpx.Client]:
    """A signed-out client, like a fresh browser."""
    with httpx.Client(base_url=mail_server.base_url, timeout=30) as client:
        yield client
