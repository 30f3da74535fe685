"""The transport against a real collector behind a fault-injecting proxy: batching, headers,
retries, Retry-After, outages and lost answers."""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from support.accounts import Account, eventually
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve import Usage, record_call


def track_costs(count: int, cost: str = "0.01") -> None:
    for index in range(count):
        llmobserve.track(f"event-{index}", cost_usd=cost, provider="test")


def test_flush_returns_true_once_everything_is_delivered(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk(flush_interval=60)  # only flush() sends
    track_costs(3)

    assert llmobserve.flush(timeout=5) is True
    assert llmobserve.stats()["sent"] == 3 and llmobserve.stats()["queued"] == 0
    assert account.costs()["total_cost_usd"] == "0.030000"


def test_flush_returns_false_when_delivery_does_not_finish_in_time(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    proxy.stop()
    start_sdk(collector_url=proxy.url, max_retries=100)
    track_costs(1)

    started = time.monotonic()
    assert llmobserve.flush(timeout=0.3) is False
    assert time.monotonic() - started < 30  # bounded by its timeout, not by the retries


def test_events_are_batched_by_size(start_sdk: Callable[..., None], proxy: FaultyProxy) -> None:
    start_sdk(collector_url=proxy.url, batch_size=10, flush_interval=60)
    track_costs(35)
    eventually(lambda: _assert(len(proxy.events_requests()) == 3))  # full batches go at once
    assert llmobserve.flush(timeout=5)

    assert [len(r.events) for r in proxy.events_requests()] == [10, 10, 10, 5]


def test_a_partial_batch_is_sent_after_the_flush_interval(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    start_sdk(collector_url=proxy.url, flush_interval=0.2)  # the batch size is never reached
    track_costs(2)

    eventually(lambda: _assert(len(proxy.events_requests()) == 1), timeout=30)
    assert llmobserve.stats()["sent"] == 2 or llmobserve.flush(timeout=5)


def test_requests_are_gzipped_json_with_the_key_and_the_user_agent(
    start_sdk: Callable[..., None], proxy: FaultyProxy, account: Account
) -> None:
    start_sdk(collector_url=proxy.url)
    track_costs(2)
    assert llmobserve.flush(timeout=5)

    (request,) = proxy.events_requests()
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert request.method == "POST"
    assert headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "application/json"
    assert headers["authorization"] == f"Bearer {account.key}"
    assert headers["user-agent"] == f"llmobserve-python/{llmobserve.__version__}"
    body = json.loads(gzip.decompress(request.raw_body))
    assert [event["name"] for event in body["events"]] == ["event-0", "event-1"]


def test_5xx_answers_are_retried_until_delivered_without_double_cost(
    start_sdk: Callable[..., None], proxy: FaultyProxy, account: Account
) -> None:
    proxy.fail(500, times=2)
    proxy.fail(503, times=1)
    start_sdk(collector_url=proxy.url)
    track_costs(5, cost="0.2")

    assert llmobserve.flush(timeout=10)

    requests = proxy.events_requests()
    assert [r.status for r in requests] == [500, 500, 503, 200]
    assert len({tuple(e["id"] for e in r.events) for r in requests}) == 1  # same ids each time
    stats = llmobserve.stats()
    assert (stats["retried"], stats["sent"], stats["failed"]) == (3, 5, 0)
    assert account.costs()["total_cost_usd"] == "1.000000"


def test_429_waits_for_retry_after(start_sdk: Callable[..., None], proxy: FaultyProxy) -> None:
    proxy.fail(429, headers={"Retry-After": "1"})
    start_sdk(collector_url=proxy.url)
    track_costs(1)

    assert llmobserve.flush(timeout=10)

    first, second = proxy.events_requests()
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0
    assert llmobserve.stats()["retried"] == 1


def test_other_4xx_answers_are_not_retried(
    start_sdk: Callable[..., None], proxy: FaultyProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.fail(422, body={"error": {"code": "invalid_body", "message": "not a batch"}})
    start_sdk(collector_url=proxy.url)
    track_costs(4)

    assert llmobserve.flush(timeout=5)
    track_costs(1)
    assert llmobserve.flush(timeout=5)

    assert [r.status for r in proxy.events_requests()] == [422, 200]
    stats = llmobserve.stats()
    assert (stats["failed"], stats["retried"], stats["sent"]) == (4, 0, 1)
    assert any(
        "HTTP 422: not a batch (invalid_body)" in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    )


def test_events_are_delivered_when_the_collector_comes_up_after_the_start(
    start_sdk: Callable[..., None], proxy: FaultyProxy, account: Account
) -> None:
    proxy.stop()
    start_sdk(collector_url=proxy.url, max_retries=50, retry_backoff=0.05)
    track_costs(3, cost="0.5")
    eventually(lambda: _assert(llmobserve.stats()["retried"] >= 2))

    proxy.start()
    assert llmobserve.flush(timeout=10)

    assert llmobserve.stats()["sent"] == 3
    assert account.costs()["total_cost_usd"] == "1.500000"


def test_events_are_delivered_after_the_collector_dies_mid_run_and_returns(
    start_sdk: Callable[..., None],
    proxy: FaultyProxy,
    account: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    start_sdk(collector_url=proxy.url, max_retries=50)
    with llmobserve.run("long-run") as frame:
        track_costs(2)
        assert llmobserve.flush(timeout=5)
        proxy.stop()
        track_costs(3)
        eventually(lambda: _assert(llmobserve.stats()["retried"] >= 1))
        proxy.start()
        track_costs(1)
    assert llmobserve.flush(timeout=10)

    run = account.run(frame.run_id)
    assert run["events"] == 6  # the tracked events (the run's span marker is not an event)
    assert run["total_cost_usd"] == "0.060000"
    unreachable = [r for r in caplog.records if "cannot reach the collector" in r.getMessage()]
    assert len(unreachable) == 1  # one warning per outage, not one per retry


def test_a_resend_after_a_lost_answer_is_counted_once(
    start_sdk: Callable[..., None], proxy: FaultyProxy, account: Account
) -> None:
    proxy.drop_response(times=1)  # the collector stores the batch, the answer never arrives
    start_sdk(collector_url=proxy.url)
    track_costs(4, cost="0.25")

    assert llmobserve.flush(timeout=10)

    first, second = proxy.events_requests()
    assert first.status is None and second.status == 200
    assert [e["id"] for e in first.events] == [e["id"] for e in second.events]
    stats = llmobserve.stats()
    assert (stats["duplicates"], stats["sent"], stats["retried"]) == (4, 0, 1)
    costs = account.costs()
    assert (costs["total_cost_usd"], costs["total_events"]) == ("1.000000", 4)


def test_retries_stop_after_max_retries(
    start_sdk: Callable[..., None], proxy: FaultyProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.fail(500, times=None)
    start_sdk(collector_url=proxy.url, max_retries=2)
    track_costs(3)

    assert llmobserve.flush(timeout=5)

    assert len(proxy.events_requests()) == 3
    stats = llmobserve.stats()
    assert (stats["failed"], stats["retried"], stats["sent"]) == (3, 2, 0)
    assert any("gave up on 3 event(s) after 3 attempt(s)" in r.getMessage() for r in caplog.records)


def test_rejected_events_log_one_warning_per_reason(
    start_sdk: Callable[..., None], proxy: FaultyProxy, caplog: pytest.LogCaptureFixture
) -> None:
    start_sdk(collector_url=proxy.url)
    for _ in range(3):  # cached tokens above the input tokens: the collector rejects the event
        record_call(
            provider="openai",
            model="gpt-4o-mini",
            operation="chat",
            started_at=datetime.now(timezone.utc),
            duration_ms=1,
            usage=Usage(input_tokens=1, cached_input_tokens=5),
        )
    llmobserve.track("fine", cost_usd="0.1")

    assert llmobserve.flush(timeout=5)

    stats = llmobserve.stats()
    assert (stats["rejected"], stats["sent"], stats["failed"]) == (3, 1, 0)
    rejected = [r for r in caplog.records if "the collector rejected an event" in r.getMessage()]
    assert len(rejected) == 1 and rejected[0].levelno == logging.WARNING
    assert "(invalid_event)" in rejected[0].getMessage()


def _assert(condition: bool) -> None:
    assert condition
