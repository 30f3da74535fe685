"""Fuzzing fixtures: a server of its own per backend (its failed sign-ins and throttling must not
reach the other tests' server), with billing on against the fake Stripe and mail to the mailbox,
so that every endpoint and form does its real work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmobserve_server.testing import RunningServer
from tests.support.databases import server_for
from tests.support.fake_stripe import (
    FakeStripe,
    billing_env,
    fake_stripe,  # noqa: F401  (fixture)
)
from tests.support.mail import Mailbox


@pytest.fixture(scope="session")
def fuzz_server(
    backend: str,
    fake_stripe: FakeStripe,  # noqa: F811
    mailbox: Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp(f"fuzz-server-{backend}")
    with server_for(backend, data_dir, "fuzz", billing_env(fake_stripe, mailbox)) as running:
        yield running
