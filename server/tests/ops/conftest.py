"""Servers started the way an operator starts them, with the settings under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmobserve_server.testing import RunningServer
from tests.ops.support import METRICS_TOKEN
from tests.support.databases import server_for
from tests.support.factories import SignedInUser, sign_up


@pytest.fixture(scope="package")
def json_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One SQLite server with JSON logs and a metrics token, shared by this package's tests
    (each signs up its own account)."""
    extra_env = {"LOG_FORMAT": "json", "METRICS_TOKEN": METRICS_TOKEN}
    with server_for("sqlite", tmp_path_factory.mktemp("ops"), "ops", extra_env) as running:
        yield running


@pytest.fixture
def ops_user(json_server: RunningServer) -> Iterator[SignedInUser]:
    """A fresh user of `json_server`."""
    signed_in = sign_up(json_server.base_url)
    yield signed_in
    signed_in.client.close()
