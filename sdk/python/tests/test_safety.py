"""The SDK's own errors never reach the application; the application's errors pass untouched;
many threads recording at once lose nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import pytest
from support.accounts import Account

import llmobserve
from llmobserve import _events, _transport


class SdkBug(Exception):
    pass


def broken(*args: Any, **kwargs: Any) -> Any:
    raise SdkBug("a bug inside the SDK")


def test_an_internal_error_is_swallowed_and_reported_to_the_debug_hook(
    start_sdk: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    sdk_reset: list[BaseException],
) -> None:
    start_sdk()
    monkeypatch.setattr(_events.uuid, "uuid4", broken)  # every event fails to build

    llmobserve.record_call(
        provider="openai",
        model="gpt-4o-mini",
        operation="chat",
        started_at=datetime.now(timezone.utc),
        duration_ms=1,
    )
    llmobserve.track("t", cost_usd="1")
    with llmobserve.run("r"), llmobserve.section("s"):
        pass
    llmobserve.flush(timeout=5)  # a call's and a tracked event are built by the worker

    assert [type(e) for e in sdk_reset] == [SdkBug] * 4  # call, track, section and run spans
    assert llmobserve.stats()["failed"] == 2  # call and track: the spans never entered the queue
    sdk_reset.clear()  # seen: do not fail this test for them


def test_the_worker_survives_an_internal_error_and_keeps_sending(
    start_sdk: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    sdk_reset: list[BaseException],
    account: Account,
) -> None:
    real_post = _transport.post_events
    calls: list[int] = []

    def post_once_broken(*args: Any, **kwargs: Any) -> _transport.Answer:
        calls.append(1)
        if len(calls) == 1:
            raise SdkBug("the first send blows up")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(_transport, "post_events", post_once_broken)
    start_sdk()
    llmobserve.track("lost", cost_usd="1")
    assert llmobserve.flush(timeout=5)  # the broken batch is settled as failed
    llmobserve.track("kept", cost_usd="2")
    assert llmobserve.flush(timeout=5)

    assert [type(e) for e in sdk_reset] == [SdkBug]
    sdk_reset.clear()
    assert llmobserve.stats()["failed"] == 1 and llmobserve.stats()["sent"] == 1
    assert account.costs()["total_cost_usd"] == "2.000000"


def test_the_applications_exception_passes_through_every_scope_untouched(
    start_sdk: Callable[..., None],
) -> None:
    start_sdk()
    error = KeyError("mine")

    @llmobserve.agent("a")
    def fail() -> None:
        raise error

    with pytest.raises(KeyError) as raised:
        with llmobserve.run("r"), llmobserve.customer("c"), llmobserve.section("s"):
            fail()
    assert raised.value is error


def test_many_threads_recording_at_once_lose_nothing(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk(batch_size=200)
    start = threading.Barrier(4)

    def record(thread: int) -> None:
        start.wait(timeout=10)
        with llmobserve.customer(f"t{thread}"):
            for _ in range(1000):
                llmobserve.track("parallel", cost_usd="0.001")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(record, range(4)))
    assert llmobserve.flush(timeout=20)

    assert llmobserve.stats()["sent"] == 4000
    rows = account.costs("customer")["rows"]
    by_customer = {row["key"]: (row["events"], row["cost_usd"]) for row in rows}
    assert by_customer == {f"t{i}": (1000, "1.000000") for i in range(4)}


def test_one_scope_object_can_be_entered_in_many_threads_at_once(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk()
    checkout = llmobserve.section("checkout")  # made once, used everywhere
    seen: list[str | None] = []

    def work(index: int) -> None:
        with llmobserve.run(f"r{index}"), checkout:
            llmobserve.track("step", cost_usd="0.5")
        from llmobserve._context import current_frame

        seen.append(current_frame().section)

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(work, range(10)))
    assert llmobserve.flush(timeout=5)

    assert seen == [None] * 10  # every thread left the scope cleanly
    sections = {row["key"]: row for row in account.costs("section")["rows"]}
    assert sections["checkout"]["events"] == 10 and sections["checkout"]["cost_usd"] == "5.000000"
