"""Every queued event is settled exactly once, whatever the collector answers: a malformed or
cut-off answer fails only the events of that request, `flush()` returns, and `stats()` adds up.
The collector here is a real TCP server on 127.0.0.1 that sends the scripted bytes."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fakes.scripted_collector import Script, ScriptedCollector, json_answer, raw_answer

import llmobserve

OPTIONS = {"flush_interval": 0.05, "retry_backoff": 0.01, "max_retries": 2, "batch_size": 5}
OUTCOMES = ("sent", "duplicates", "rejected", "failed", "dropped", "queued")


def accepted(count: int) -> bytes:
    return json_answer({"accepted": count, "duplicates": 0, "rejected": []})


def rejecting(*entries: object) -> Script:
    """A 2xx whose `rejected` holds `entries`, the other events counted as accepted."""
    return lambda count: json_answer(
        {"accepted": count - len(entries), "duplicates": 0, "rejected": list(entries)}
    )


def huge_valid_answer(count: int) -> bytes:
    """A well-formed result followed by 50 MB of JSON whitespace."""
    return accepted(count).replace(b"Content-Length: ", b"X-Ignored: ") + b" " * 50_000_000


def cut_mid_answer(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + b'{"accepted": ')
    connection.shutdown(socket.SHUT_RDWR)


def closed_mid_answer(count: int) -> object:
    return cut_mid_answer


ERROR = {"code": "invalid_event", "message": "bad"}
MALFORMED: dict[str, Script] = {
    "a non-JSON 200 (an HTML page)": lambda count: raw_answer(
        "200 OK", b"<!doctype html><title>Dashboard</title>", "text/html"
    ),
    "JSON that is not an object": lambda count: json_answer([1, 2, 3]),
    "rejected is not a list": lambda count: json_answer(
        {"accepted": count, "duplicates": 0, "rejected": "none"}
    ),
    "a rejected entry that is not an object": rejecting(7),
    "a rejected entry without an index": rejecting({"error": ERROR}),
    "an index past the batch": rejecting({"index": 999, "error": ERROR}),
    "a negative index": rejecting({"index": -1, "error": ERROR}),
    "an index given twice": rejecting({"index": 0, "error": ERROR}, {"index": 0, "error": ERROR}),
    "an index that is not a number": rejecting({"index": "0", "error": ERROR}),
    "rejected[].error is not an object": rejecting({"index": 0, "error": "bad"}),
    "counts that do not add up": lambda count: json_answer(
        {"accepted": count + 3, "duplicates": 0, "rejected": []}
    ),
    "negative counts": lambda count: json_answer(
        {"accepted": count + 1, "duplicates": -1, "rejected": []}
    ),
    "a 2xx with a 50 MB body": huge_valid_answer,
    "a connection closed mid-answer": closed_mid_answer,  # type: ignore[dict-item]
    "a 301 redirect": lambda count: raw_answer(
        "301 Moved Permanently", b"", "text/html", Location="https://elsewhere.example/v1/events"
    ),
}


@pytest.fixture
def scripted() -> Iterator[list[ScriptedCollector]]:
    running: list[ScriptedCollector] = []
    yield running
    for collector in running:
        collector.close()


def start(script: Script, running: list[ScriptedCollector]) -> ScriptedCollector:
    collector = ScriptedCollector(script)
    running.append(collector)
    llmobserve.init(api_key="llmo_sk_test", collector_url=collector.url, **OPTIONS)
    return collector


def record(count: int) -> None:
    for index in range(count):
        llmobserve.track(f"event-{index}", cost_usd="0.01")


def assert_stats_add_up() -> dict[str, int]:
    stats = llmobserve.stats()
    assert sum(stats[name] for name in OUTCOMES) == stats["recorded"], stats
    return stats


@pytest.mark.parametrize("answer", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_answer_fails_its_events_and_flush_returns(
    answer: Script, scripted: list[ScriptedCollector]
) -> None:
    start(answer, scripted)
    record(3)

    assert llmobserve.flush(timeout=60) is True
    stats = assert_stats_add_up()
    assert (stats["recorded"], stats["failed"], stats["queued"]) == (3, 3, 0)


def test_a_malformed_answer_fails_only_the_request_it_answers(
    scripted: list[ScriptedCollector],
) -> None:
    answers = iter([rejecting({"index": 0, "error": "bad"}), accepted])
    collector = start(lambda count: next(answers)(count), scripted)
    record(5)  # one full batch: sent at once, answered with a malformed result
    assert llmobserve.flush(timeout=60)
    record(5)  # the next request, answered well
    assert llmobserve.flush(timeout=60)

    assert collector.requests == [5, 5]
    stats = assert_stats_add_up()
    assert (stats["failed"], stats["sent"], stats["recorded"]) == (5, 5, 10)


def test_a_well_formed_result_counts_each_outcome(scripted: list[ScriptedCollector]) -> None:
    def answer(count: int) -> bytes:
        rejected = [{"index": 1, "error": {"code": "invalid_event", "message": "too long"}}]
        return json_answer({"accepted": count - 2, "duplicates": 1, "rejected": rejected})

    start(answer, scripted)
    record(4)

    assert llmobserve.flush(timeout=60)
    stats = assert_stats_add_up()
    assert (stats["sent"], stats["duplicates"], stats["rejected"]) == (2, 1, 1)


def test_a_lost_answer_is_retried_then_fails(scripted: list[ScriptedCollector]) -> None:
    collector = start(closed_mid_answer, scripted)  # type: ignore[arg-type]
    record(2)

    assert llmobserve.flush(timeout=60)
    assert collector.requests == [2, 2, 2]  # max_retries=2: sent three times
    assert llmobserve.stats()["retried"] == 2
    assert assert_stats_add_up()["failed"] == 2
