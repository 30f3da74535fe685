"""Fixtures for the SDK's tests: a real llmobserve server as the collector (one per session),
a fresh account per test, a fault-injecting proxy in front of the collector, and an SDK that is
reset around every test, with every internal error it swallows turned into a test failure.

Helpers live in tests/support/ (imported as `support.…`; this directory is put on sys.path).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.accounts import Account, sign_up  # noqa: E402
from support.faulty_proxy import FaultyProxy  # noqa: E402
from tests.support.pool import ServerPool  # noqa: E402  (the server suite's support package)

import llmobserve  # noqa: E402
from llmobserve import _client, _log  # noqa: E402
from llmobserve_server.testing import RunningServer  # noqa: E402

# Fast enough for tests; the defaults are for production.
FAST_OPTIONS: dict[str, Any] = {
    "flush_interval": 0.05,
    "retry_backoff": 0.05,
    "shutdown_timeout": 5.0,
    "request_timeout": 5.0,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: builds the package or starts Python processes (seconds, not millis)"
    )


@pytest.fixture(scope="session")
def collector(server_pool: ServerPool) -> RunningServer:
    """A real llmobserve server (SQLite) for the whole session, the server tests' SQLite server
    (the root conftest.py's `server_pool`); tests isolate by account."""
    return server_pool.get("sqlite")


@pytest.fixture
def collector_url(collector: RunningServer) -> str:
    return collector.base_url


@pytest.fixture
def account(collector: RunningServer) -> Iterator[Account]:
    """A freshly signed-up account with an API key."""
    created = sign_up(collector.base_url)
    yield created
    created.close()


@pytest.fixture
def proxy(collector: RunningServer) -> Iterator[FaultyProxy]:
    """A fault-injecting proxy in front of the collector (see support/faulty_proxy.py)."""
    running = FaultyProxy(collector.base_url)
    yield running
    running.close()


@pytest.fixture
def start_sdk(account: Account, collector: RunningServer) -> Callable[..., None]:
    """`start_sdk(**options)`: init the SDK with the account's key, straight to the collector
    (or `collector_url=proxy.url`), with fast test timings unless overridden."""

    def start(**options: Any) -> None:
        options.setdefault("collector_url", collector.base_url)
        llmobserve.init(api_key=account.key, **{**FAST_OPTIONS, **options})
        assert llmobserve.is_enabled()

    return start


@pytest.fixture(autouse=True)
def sdk_reset(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException]]:
    """Every test starts with the SDK off, no LLMOBSERVE_* variables and no warning already
    given; an internal error the SDK swallowed during the test fails it (sentry-python's
    habit)."""
    for name in ("LLMOBSERVE_API_KEY", "LLMOBSERVE_COLLECTOR_URL", "LLMOBSERVE_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    swallowed: list[BaseException] = []
    _log.forget_warning("")
    _log.set_debug_errors_hook(swallowed.append)
    try:
        yield swallowed
        llmobserve.shutdown(timeout=2.0)
    finally:
        _log.set_debug_errors_hook(None)
        _client._last_worker = None
    if swallowed:
        pytest.fail(f"the SDK swallowed internal errors: {swallowed!r}", pytrace=False)
