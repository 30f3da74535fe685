"""The SDK never blocks or slows the caller and never grows without bound, whatever the
collector does; shutdown is bounded."""

from __future__ import annotations

import logging
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from support.accounts import Account, eventually
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve import Usage, record_call


def provider_call() -> None:
    record_call(
        provider="openai",
        model="gpt-4o-mini",
        operation="chat",
        started_at=datetime.now(timezone.utc),
        duration_ms=100.0,
        usage=Usage(input_tokens=1200, cached_input_tokens=1024, output_tokens=80),
    )


def test_a_slow_collector_does_not_slow_the_caller(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    proxy.delay(60.0)  # every request is held a minute before it is forwarded
    start_sdk(collector_url=proxy.url, batch_size=10, flush_interval=0.01)

    started = time.monotonic()
    with llmobserve.run("busy"):
        for _ in range(1000):
            provider_call()
            llmobserve.track("custom", cost_usd="0.001")
    elapsed = time.monotonic() - started

    # 2,000 records finished long before the first answer could arrive (a bound, not a speed
    # test: bench/sdk_overhead.py measures the cost per call)...
    assert elapsed < 30, f"{elapsed:.3f}s for 2,000 records"
    # ...while the worker was already waiting on the collector.
    eventually(lambda: assert_sent_unanswered(proxy))
    llmobserve.shutdown(timeout=0)


def assert_sent_unanswered(proxy: FaultyProxy) -> None:
    requests = proxy.events_requests()
    assert requests
    assert all(r.status is None for r in requests)  # no answer has come yet


def test_the_queue_stays_bounded_when_the_collector_is_down(
    start_sdk: Callable[..., None], proxy: FaultyProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.stop()
    start_sdk(collector_url=proxy.url, max_queue_size=1000, batch_size=100, max_retries=100)

    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(100_000):
            provider_call()
        growth = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()

    stats = llmobserve.stats()
    assert stats["queued"] == 1000  # including the batch being retried
    assert stats["dropped"] == 99_000
    assert stats["sent"] == 0
    assert growth < 8_000_000, f"memory grew by {growth:,} bytes"  # ~1,000 events, not 100,000
    full = [r for r in caplog.records if "new events are dropped" in r.getMessage()]
    assert len(full) == 1 and full[0].levelno == logging.WARNING
    llmobserve.shutdown(timeout=0)


def test_shutdown_is_bounded_when_the_collector_hangs(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    proxy.delay(120.0)
    start_sdk(collector_url=proxy.url, shutdown_timeout=1.0, request_timeout=120.0)
    for _ in range(250):
        llmobserve.track("stuck", cost_usd="0.01")
    eventually(lambda: _assert(len(proxy.events_requests()) >= 1))

    started = time.monotonic()
    llmobserve.shutdown()
    elapsed = time.monotonic() - started

    # It waited its timeout, and ended long before the request would have (a bound that holds
    # on a busy machine, not a timing test).
    assert 0.9 <= elapsed < 60, f"shutdown took {elapsed:.2f}s"
    assert not llmobserve.is_enabled()


def test_shutdown_delivers_what_is_queued(start_sdk: Callable[..., None], account: Account) -> None:
    start_sdk(flush_interval=60)
    for _ in range(150):
        llmobserve.track("queued", cost_usd="0.01")

    llmobserve.shutdown()

    assert llmobserve.stats()["sent"] == 150
    assert account.costs()["total_cost_usd"] == "1.500000"


def test_stats_count_each_outcome(start_sdk: Callable[..., None], proxy: FaultyProxy) -> None:
    assert llmobserve.stats() == dict.fromkeys(
        ("sent", "duplicates", "rejected", "failed", "dropped", "retried", "queued", "recorded"),
        0,
    )
    proxy.fail(500, times=1)
    start_sdk(collector_url=proxy.url, max_queue_size=5, flush_interval=60)
    for _ in range(7):  # 2 over the queue's size
        llmobserve.track("counted", cost_usd="0.01")
    assert llmobserve.stats()["queued"] == 5
    assert llmobserve.flush(timeout=5)

    assert llmobserve.stats() == {
        "sent": 5,
        "duplicates": 0,
        "rejected": 0,
        "failed": 0,
        "dropped": 2,
        "retried": 1,
        "queued": 0,
        "recorded": 7,
    }


def _assert(condition: bool) -> None:
    assert condition
