"""A revoked or unknown key: one clear error line, events dropped and counted, no retry storm."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from support.accounts import Account
from support.faulty_proxy import FaultyProxy

import llmobserve


def test_a_revoked_key_logs_one_error_and_drops_events_without_retrying(
    start_sdk: Callable[..., None],
    proxy: FaultyProxy,
    account: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    start_sdk(collector_url=proxy.url, batch_size=5)
    llmobserve.track("before", cost_usd="1")
    assert llmobserve.flush(timeout=5)
    account.revoke_key()

    for _ in range(3):
        for index in range(20):
            llmobserve.track(f"after-{index}", cost_usd="1")
        assert llmobserve.flush(timeout=5)

    statuses = [r.status for r in proxy.events_requests()]
    assert statuses == [200, 401]  # one refused batch, then nothing more is sent
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert (
        errors[0]
        .getMessage()
        .startswith("llmobserve: API key invalid or revoked (API key revoked.")
    )
    stats = llmobserve.stats()
    assert stats["sent"] == 1
    assert stats["failed"] + stats["dropped"] == 60
    assert stats["retried"] == 0 and stats["queued"] == 0
    assert account.session.get("/v1/costs").json()["total_cost_usd"] == "1.000000"


def test_an_unknown_key_is_refused_the_same_way(
    collector_url: str, proxy: FaultyProxy, caplog: pytest.LogCaptureFixture
) -> None:
    llmobserve.init(api_key="llmo_sk_unknown", collector_url=proxy.url, flush_interval=0.05)
    for _ in range(10):
        llmobserve.track("x", cost_usd="1")
        llmobserve.flush(timeout=5)

    assert len(proxy.events_requests()) == 1
    assert len([r for r in caplog.records if "API key invalid or revoked" in r.getMessage()]) == 1


def test_init_with_a_new_key_sends_again(
    start_sdk: Callable[..., None], account: Account, collector_url: str
) -> None:
    llmobserve.init(api_key="llmo_sk_unknown", collector_url=collector_url, flush_interval=0.05)
    llmobserve.track("lost", cost_usd="1")
    llmobserve.flush(timeout=5)

    start_sdk()
    llmobserve.track("kept", cost_usd="2")
    assert llmobserve.flush(timeout=5)
    assert account.costs()["total_cost_usd"] == "2.000000"
