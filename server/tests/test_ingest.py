"""POST /v1/events: a batch is validated one event at a time, stored idempotently and rolled up
into /v1/costs and /v1/runs exactly, whatever else arrives at the same time."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from llmobserve_server.testing import RunningServer, free_port
from tests.support.factories import SignedInUser, custom_event, event, key_client, send

# --- helpers ---------------------------------------------------------------------------------


def post(client: httpx.Client, events: list[Any]) -> dict[str, Any]:
    """POST a batch; the 200 response body. Encoded like Python's json.dumps does by default,
    which writes NaN and Infinity for such floats (httpx's `json=` refuses them)."""
    body = json.dumps({"events": events})
    response = client.post("/v1/events", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def new_run_id() -> str:
    return f"run-{uuid.uuid4().hex}"


def costs(client: httpx.Client, group_by: str = "model") -> dict[str, Any]:
    response = client.get("/v1/costs", params={"group_by": group_by})
    assert response.status_code == 200, response.text
    return dict(response.json())


def run(client: httpx.Client, run_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/runs/{run_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def spans_of(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Every span of a run detail, the tree flattened."""
    found: list[dict[str, Any]] = []

    def walk(spans: list[dict[str, Any]]) -> None:
        for span in spans:
            found.append(span)
            walk(span["children"])

    walk(detail["spans"])
    return found


def stored_ids(client: httpx.Client, run_id: str) -> set[str]:
    return {span["event_id"] for span in spans_of(run(client, run_id))}


def assert_rejection(body: dict[str, Any], index: int) -> dict[str, str]:
    """The one rejection of the batch, at `index`, in the contract's shape."""
    assert [item["index"] for item in body["rejected"]] == [index], body
    (item,) = body["rejected"]
    assert set(item) == {"index", "error"}, item
    error = item["error"]
    assert set(error) == {"code", "message"}, item
    assert error["code"] == "invalid_event", item
    assert isinstance(error["message"], str) and error["message"], item
    return dict(error)


def now() -> datetime:
    return datetime.now(timezone.utc)


# --- a valid batch ---------------------------------------------------------------------------


def test_a_valid_batch_is_accepted_in_full(keyed: httpx.Client) -> None:
    batch = [event(), event(), event()]
    assert post(keyed, batch) == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert costs(keyed)["total_events"] == 3


def test_accepted_events_appear_with_their_fields_in_the_run(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    sent = event(
        run_id=run_id,
        span_id="s1",
        name="summarize",
        operation="chat",
        duration_ms=1234,
        input_tokens=1000,
        cached_input_tokens=200,
        output_tokens=100,
        reasoning_tokens=40,
        customer_id="acme",
        section="support/retrieval",
        agent="planner",
    )
    send(keyed, sent)
    (span,) = spans_of(run(keyed, run_id))
    assert span["event_id"] == sent["id"]
    assert span["span_id"] == "s1"
    assert span["name"] == "summarize"
    assert (span["provider"], span["model"], span["operation"]) == ("openai", "gpt-4o-mini", "chat")
    assert span["duration_ms"] == 1234
    assert (span["input_tokens"], span["cached_input_tokens"]) == (1000, 200)
    assert (span["output_tokens"], span["reasoning_tokens"]) == (100, 40)
    assert (span["customer_id"], span["section"], span["agent"]) == (
        "acme",
        "support/retrieval",
        "planner",
    )
    assert span["status"] == "ok"


def test_an_empty_batch_is_200_with_nothing_accepted(keyed: httpx.Client) -> None:
    assert post(keyed, []) == {"accepted": 0, "duplicates": 0, "rejected": []}


def test_a_timestamp_with_an_offset_is_stored_as_the_same_instant_in_utc(
    keyed: httpx.Client,
) -> None:
    run_id = new_run_id()
    local = (now() - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5, minutes=30)))
    send(keyed, event(run_id=run_id, timestamp=local.isoformat()))
    (span,) = spans_of(run(keyed, run_id))
    assert datetime.fromisoformat(span["timestamp"]) == local


def test_a_timestamp_a_little_in_the_future_is_accepted_as_clock_skew(keyed: httpx.Client) -> None:
    send(keyed, event(timestamp=(now() + timedelta(hours=23)).isoformat()))


# --- per-event validation --------------------------------------------------------------------

EventMaker = Callable[[str], Any]


def _without(field: str) -> EventMaker:
    def make(run_id: str) -> dict[str, Any]:
        bad = event(run_id=run_id)
        del bad[field]
        return bad

    return make


def _with(**fields: Any) -> EventMaker:
    return lambda run_id: event(**{"run_id": run_id, **fields})


INVALID_EVENTS = [
    pytest.param(_without("id"), "id", id="missing-id"),
    pytest.param(_with(id="not-a-uuid"), "id", id="id-not-a-uuid"),
    pytest.param(_with(id=12345), "id", id="id-a-number"),
    pytest.param(_without("timestamp"), "timestamp", id="missing-timestamp"),
    pytest.param(
        _with(timestamp=datetime.now().replace(tzinfo=None).isoformat()),
        "timestamp",
        id="naive-timestamp-without-offset",
    ),
    pytest.param(_with(timestamp="yesterday"), "timestamp", id="timestamp-not-rfc3339"),
    pytest.param(_with(timestamp=1764064800), "timestamp", id="timestamp-as-epoch-number"),
    pytest.param(_with(input_tokens=10**9 + 1), "input_tokens", id="tokens-over-a-billion"),
    pytest.param(_with(model="mystery", cost_usd="100000.01"), "cost_usd", id="cost-over-100k"),
    pytest.param(
        _with(timestamp=(datetime.now(timezone.utc) + timedelta(hours=25)).isoformat()),
        "timestamp",
        id="timestamp-over-24h-in-the-future",
    ),
    pytest.param(_with(input_tokens=-1), "input_tokens", id="negative-input-tokens"),
    pytest.param(_with(output_tokens=-5), "output_tokens", id="negative-output-tokens"),
    pytest.param(
        _with(input_tokens=100, cached_input_tokens=-1), "cached_input_tokens", id="negative-cached"
    ),
    pytest.param(
        _with(input_tokens=100, cached_input_tokens=60, cache_write_input_tokens=50),
        "cached_input_tokens",
        id="cached-plus-cache-write-exceed-input",
    ),
    pytest.param(
        _with(input_tokens=100, cached_input_tokens=101),
        "cached_input_tokens",
        id="cached-exceeds-input",
    ),
    pytest.param(
        _with(output_tokens=10, reasoning_tokens=11),
        "reasoning_tokens",
        id="reasoning-exceeds-output",
    ),
    pytest.param(_with(status="done"), "status", id="status-not-ok-or-error"),
    pytest.param(_with(status="OK"), "status", id="status-is-case-sensitive"),
    pytest.param(_with(metadata={"blob": "x" * (17 * 1024)}), "metadata", id="metadata-over-16kb"),
    pytest.param(_with(metadata=["not", "an", "object"]), "metadata", id="metadata-not-object"),
    pytest.param(_with(section="a//b"), "section", id="section-with-empty-segment"),
    pytest.param(_with(section="/a"), "section", id="section-with-leading-slash"),
    pytest.param(_with(section="a/"), "section", id="section-with-trailing-slash"),
    pytest.param(_with(input_tokens="lots"), "input_tokens", id="string-for-token-count"),
    pytest.param(_with(input_tokens="1000"), "input_tokens", id="numeric-string-for-token-count"),
    pytest.param(_with(output_tokens=True), "output_tokens", id="boolean-for-token-count"),
    pytest.param(
        _with(provider="pinecone", units={"read_units": "10"}), "units", id="string-for-units"
    ),
    pytest.param(_with(duration_ms="slow"), "duration_ms", id="string-for-duration"),
    pytest.param(_with(input_tokens=1.5), "input_tokens", id="fractional-token-count"),
    pytest.param(_with(cost_usd="cheap"), "cost_usd", id="string-for-cost"),
    pytest.param(_with(cost_usd=-0.01), "cost_usd", id="negative-cost"),
    pytest.param(_with(units={"read_units": -1}), "units", id="negative-units"),
    pytest.param(_with(units=[1, 2]), "units", id="units-not-object"),
    pytest.param(
        _with(provider="pinecone", units={"read_units": float("inf")}),
        "units",
        id="infinite-units",
    ),
    pytest.param(_with(metadata={"score": float("nan")}), "metadata", id="nan-in-metadata"),
    pytest.param(
        _with(metadata={"nested": [{"x": float("-inf")}]}), "metadata", id="infinity-in-metadata"
    ),
    pytest.param(_with(name="tool\x00call"), "name", id="nul-character-in-a-string"),
    pytest.param(_with(status="error", error="boom\x00"), "error", id="nul-character-in-the-error"),
    pytest.param(_with(metadata={"k": ["a\x00"]}), "metadata", id="nul-character-in-metadata"),
    pytest.param(_with(metadata={"k\x00": 1}), "metadata", id="nul-character-in-a-metadata-key"),
    pytest.param(
        _with(timestamp="0001-01-01T00:00:00+01:00"), "timestamp", id="timestamp-before-year-1"
    ),
    pytest.param(_with(run_id=""), "run_id", id="empty-run-id"),
    pytest.param(_with(model="m" * 201), "model", id="over-long-model"),
    pytest.param(lambda _run_id: 42, None, id="event-is-a-number"),
    pytest.param(lambda _run_id: "an event", None, id="event-is-a-string"),
    pytest.param(lambda _run_id: None, None, id="event-is-null"),
    pytest.param(lambda _run_id: [event()], None, id="event-is-a-list"),
]


@pytest.mark.parametrize(("make_bad", "field"), INVALID_EVENTS)
def test_an_invalid_event_is_rejected_by_index_and_the_valid_ones_are_stored(
    keyed: httpx.Client, make_bad: EventMaker, field: str | None
) -> None:
    run_id = new_run_id()
    first, last = event(run_id=run_id), event(run_id=run_id)
    body = post(keyed, [first, make_bad(run_id), last])

    assert (body["accepted"], body["duplicates"]) == (2, 0)
    error = assert_rejection(body, 1)
    if field is not None:
        assert field in error["message"], error
    assert stored_ids(keyed, run_id) == {first["id"], last["id"]}
    assert costs(keyed)["total_events"] == 2
    assert run(keyed, run_id)["events"] == 2


def test_every_invalid_event_of_a_batch_is_reported_in_order(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    batch = [
        "nope",
        event(run_id=run_id),
        event(run_id=run_id, input_tokens=-1),
        event(run_id=run_id),
        event(run_id=run_id, status="maybe"),
    ]
    body = post(keyed, batch)
    assert body["accepted"] == 2
    assert [item["index"] for item in body["rejected"]] == [0, 2, 4]
    assert {item["error"]["code"] for item in body["rejected"]} == {"invalid_event"}
    assert run(keyed, run_id)["events"] == 2


def test_a_batch_of_only_invalid_events_stores_nothing(keyed: httpx.Client) -> None:
    body = post(keyed, [1, 2, event(status="nope")])
    assert body["accepted"] == 0
    assert [item["index"] for item in body["rejected"]] == [0, 1, 2]
    assert costs(keyed)["total_events"] == 0


def test_metadata_of_exactly_16_kb_is_accepted(keyed: httpx.Client) -> None:
    overhead = len(json.dumps({"blob": ""}, separators=(",", ":")))
    metadata = {"blob": "x" * (16 * 1024 - overhead)}
    assert len(json.dumps(metadata, separators=(",", ":"))) == 16 * 1024
    send(keyed, event(metadata=metadata))


def test_metadata_one_byte_over_16_kb_is_rejected(keyed: httpx.Client) -> None:
    overhead = len(json.dumps({"blob": ""}, separators=(",", ":")))
    metadata = {"blob": "x" * (16 * 1024 - overhead + 1)}
    body = post(keyed, [event(metadata=metadata)])
    assert "metadata" in assert_rejection(body, 0)["message"]


def test_metadata_size_counts_utf8_bytes_not_ascii_escapes(keyed: httpx.Client) -> None:
    overhead = len(json.dumps({"b": ""}, separators=(",", ":")))
    metadata = {"b": "é" * ((16 * 1024 - overhead) // 2)}  # é is 2 bytes in UTF-8
    assert len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) == 16384
    send(keyed, event(metadata=metadata))
    body = post(keyed, [event(metadata={"b": metadata["b"] + "x"})])
    assert "metadata" in assert_rejection(body, 0)["message"]


def test_a_json_number_too_large_for_a_double_is_rejected_with_its_event(
    keyed: httpx.Client,
) -> None:
    run_id = new_run_id()
    good = event(run_id=run_id)
    bad = json.dumps(event(run_id=run_id))[:-1] + ', "metadata": {"huge": 1e400}}'
    raw = '{"events": [' + json.dumps(good) + ", " + bad + "]}"
    response = keyed.post("/v1/events", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    assert "metadata" in assert_rejection(response.json(), 1)["message"]
    assert stored_ids(keyed, run_id) == {good["id"]}


def test_an_over_long_error_message_is_truncated_not_rejected(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    message = "Rate limit exceeded. " + "x" * 20_000
    send(keyed, event(run_id=run_id, status="error", error=message))
    (span,) = spans_of(run(keyed, run_id))
    assert span["status"] == "error"
    assert span["error"].startswith("Rate limit exceeded. xxx")
    assert 100 < len(span["error"]) < len(message)


def test_unknown_extra_fields_are_ignored(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    future = event(
        run_id=run_id,
        sdk_version="9.9.9",
        gpu={"kind": "h100", "seconds": 3},
        tags=["a", "b"],
    )
    send(keyed, future)
    assert stored_ids(keyed, run_id) == {future["id"]}


def test_a_section_path_is_stored_as_sent(keyed: httpx.Client) -> None:
    send(keyed, custom_event("0.01", section="support/retrieval/rerank"))
    rows = costs(keyed, "section")["rows"]
    assert [row["key"] for row in rows] == ["support/retrieval/rerank"]


# --- idempotency -----------------------------------------------------------------------------


def test_the_same_batch_sent_twice_is_all_duplicates_the_second_time(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    batch = [event(run_id=run_id) for _ in range(5)]
    assert post(keyed, batch) == {"accepted": 5, "duplicates": 0, "rejected": []}
    before_costs, before_run = costs(keyed), run(keyed, run_id)

    assert post(keyed, batch) == {"accepted": 0, "duplicates": 5, "rejected": []}

    after_costs, after_run = costs(keyed), run(keyed, run_id)
    assert after_costs["total_cost_usd"] == before_costs["total_cost_usd"]
    assert Decimal(after_costs["total_cost_usd"]) > 0
    assert after_costs["total_events"] == before_costs["total_events"] == 5
    assert after_costs["rows"] == before_costs["rows"]
    assert after_run["events"] == before_run["events"] == 5
    assert after_run["total_cost_usd"] == before_run["total_cost_usd"]
    assert after_run["input_tokens"] == before_run["input_tokens"] == 5000
    assert len(spans_of(after_run)) == 5


def test_the_same_id_twice_in_one_batch_is_one_accepted_and_one_duplicate(
    keyed: httpx.Client,
) -> None:
    run_id = new_run_id()
    once = custom_event("0.25", run_id=run_id)
    assert post(keyed, [once, dict(once)]) == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert costs(keyed)["total_cost_usd"] == "0.250000"
    assert run(keyed, run_id)["events"] == 1


def test_a_batch_mixing_new_and_already_sent_ids_accepts_only_the_new(
    keyed: httpx.Client,
) -> None:
    run_id = new_run_id()
    old = [custom_event("0.1", run_id=run_id) for _ in range(3)]
    new = [custom_event("0.01", run_id=run_id) for _ in range(2)]
    send(keyed, *old)
    body = post(keyed, [old[0], new[0], old[1], new[1], old[2]])
    assert body == {"accepted": 2, "duplicates": 3, "rejected": []}
    assert costs(keyed)["total_cost_usd"] == "0.320000"
    assert run(keyed, run_id)["events"] == 5
    assert stored_ids(keyed, run_id) == {e["id"] for e in old + new}


def test_a_resent_id_with_different_content_keeps_the_first_version(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    first = custom_event("0.5", run_id=run_id, name="first")
    send(keyed, first)
    changed = {**first, "cost_usd": "9.5", "name": "second", "input_tokens": 1}
    assert post(keyed, [changed]) == {"accepted": 0, "duplicates": 1, "rejected": []}
    (span,) = spans_of(run(keyed, run_id))
    assert (span["name"], span["cost_usd"], span["input_tokens"]) == ("first", "0.500000", 1000)
    assert costs(keyed)["total_cost_usd"] == "0.500000"


def test_an_invalid_event_reusing_a_stored_id_is_rejected_not_a_duplicate(
    keyed: httpx.Client,
) -> None:
    stored = event()
    send(keyed, stored)
    body = post(keyed, [{**stored, "status": "unknown"}])
    assert (body["accepted"], body["duplicates"]) == (0, 0)
    assert_rejection(body, 0)


def test_the_same_event_id_in_another_account_is_not_a_duplicate(
    keyed: httpx.Client, other_user: SignedInUser, base_url: str
) -> None:
    shared = custom_event("0.2")
    send(keyed, shared)
    with key_client(base_url, other_user.create_key()) as other:
        assert post(other, [shared]) == {"accepted": 1, "duplicates": 0, "rejected": []}
        assert costs(other)["total_cost_usd"] == "0.200000"
    assert costs(keyed)["total_cost_usd"] == "0.200000"


# --- body encoding ---------------------------------------------------------------------------


def test_a_gzip_body_is_accepted(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    batch = [event(run_id=run_id) for _ in range(3)]
    response = keyed.post(
        "/v1/events",
        content=gzip.compress(json.dumps({"events": batch}).encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert stored_ids(keyed, run_id) == {e["id"] for e in batch}


# --- runs ------------------------------------------------------------------------------------


def test_an_error_event_shows_its_error_in_the_span_and_counts_in_the_run(
    keyed: httpx.Client,
) -> None:
    run_id = new_run_id()
    send(
        keyed,
        event(run_id=run_id, span_id="ok-call"),
        event(
            run_id=run_id,
            span_id="failed-call",
            status="error",
            error="openai.RateLimitError: 429 Too Many Requests",
            input_tokens=0,
            output_tokens=0,
        ),
        event(run_id=run_id, span_id="also-failed", status="error", error="timeout"),
    )
    detail = run(keyed, run_id)
    assert detail["errors"] == 2
    assert detail["events"] == 3
    by_span = {span["span_id"]: span for span in spans_of(detail)}
    assert by_span["failed-call"]["status"] == "error"
    assert by_span["failed-call"]["error"] == "openai.RateLimitError: 429 Too Many Requests"
    assert (by_span["ok-call"]["status"], by_span["ok-call"]["error"]) == ("ok", None)
    listed = keyed.get("/v1/runs").json()["runs"]
    assert [r["errors"] for r in listed if r["run_id"] == run_id] == [2]


def test_an_event_without_run_id_becomes_a_run_of_its_own(keyed: httpx.Client) -> None:
    alone = custom_event("0.3", name="one-off")
    alone.pop("run_id", None)
    send(keyed, alone)
    runs = keyed.get("/v1/runs").json()["runs"]
    assert len(runs) == 1
    detail = run(keyed, runs[0]["run_id"])
    assert [span["event_id"] for span in spans_of(detail)] == [alone["id"]]
    assert (detail["events"], detail["name"], detail["total_cost_usd"]) == (
        1,
        "one-off",
        "0.300000",
    )


def test_events_without_run_id_are_separate_runs(keyed: httpx.Client) -> None:
    send(keyed, event(), event(), event())
    assert len(keyed.get("/v1/runs").json()["runs"]) == 3


def test_an_event_without_span_id_still_appears_in_its_run(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    first, second = event(run_id=run_id), event(run_id=run_id)
    send(keyed, first, second)
    spans = spans_of(run(keyed, run_id))
    assert {span["event_id"] for span in spans} == {first["id"], second["id"]}
    span_ids = [span["span_id"] for span in spans]
    assert all(span_ids) and len(set(span_ids)) == 2


def test_spans_sent_in_separate_batches_join_one_tree(keyed: httpx.Client) -> None:
    run_id = new_run_id()
    send(keyed, custom_event("0.2", run_id=run_id, span_id="child", parent_span_id="root"))
    send(keyed, custom_event("0.1", run_id=run_id, span_id="root", name="agent"))
    detail = run(keyed, run_id)
    assert (detail["events"], detail["total_cost_usd"], detail["name"]) == (2, "0.300000", "agent")
    (root,) = detail["spans"]
    assert root["span_id"] == "root"
    assert [child["span_id"] for child in root["children"]] == ["child"]
    assert root["total_cost_usd"] == "0.300000"


# --- durability ------------------------------------------------------------------------------


@contextmanager
def second_server(
    server: RunningServer, log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Another server process on the same database as `server`; its URL and process."""
    port = free_port()
    ignored = ("DATABASE_URL", "DATABASE_OWNER_URL", "PORT")
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update({"LLMOBSERVE_DATA_DIR": str(server.data_dir), "PYTHONUNBUFFERED": "1"})
    env.update(server.database_env())
    command = [sys.executable, "-m", "llmobserve_server.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_accepted_events_survive_the_server_being_killed(
    server: RunningServer, keyed: httpx.Client, api_key: str, tmp_path: Path
) -> None:
    """A 200 means committed: nothing is acknowledged from a buffer that a crash would lose."""
    run_id = new_run_id()
    batch = [custom_event("0.01", run_id=run_id) for _ in range(20)]
    with second_server(server, tmp_path / "second-server.log") as (url, process):
        with key_client(url, api_key) as doomed:
            assert post(doomed, batch)["accepted"] == 20
        process.kill()  # SIGKILL: no shutdown hook runs
        process.wait()

    assert stored_ids(keyed, run_id) == {e["id"] for e in batch}
    assert costs(keyed)["total_cost_usd"] == "0.200000"


@contextmanager
def daily_rollup_failing_for_section(database_url: str, section: str) -> Iterator[None]:
    """A trigger that makes PostgreSQL refuse `section`'s row in usage_daily: a real failure in
    the middle of the batch's pipelined rollup writes, after the events were inserted."""
    name = f"fail_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.value = '{section}' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
            f"RETURN NEW; END $$"
        )
        connection.execute(
            f"CREATE TRIGGER {name} BEFORE INSERT ON usage_daily "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
        try:
            yield
        finally:
            connection.execute(f"DROP TRIGGER {name} ON usage_daily")
            connection.execute(f"DROP FUNCTION {name}()")


@pytest.mark.postgresql_only  # the failure is made with a PostgreSQL trigger
def test_a_batch_whose_rollups_fail_stores_nothing_and_the_next_batch_is_stored(
    server: RunningServer, base_url: str, api_key: str
) -> None:
    run_id, doomed_section = new_run_id(), f"doomed-{uuid.uuid4().hex[:8]}"
    doomed = [event(run_id=run_id), event(run_id=run_id, section=doomed_section)]
    assert server.full_access_url is not None
    with daily_rollup_failing_for_section(server.full_access_url, doomed_section):
        with key_client(base_url, api_key) as client:  # the server closes it after a 500
            response = client.post("/v1/events", json={"events": doomed})
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal_error"

        with key_client(base_url, api_key) as client:
            assert client.get(f"/v1/runs/{run_id}").status_code == 404  # nothing of it stored
            assert post(client, [event(run_id=run_id)])["accepted"] == 1
            assert len(stored_ids(client, run_id)) == 1
            assert post(client, doomed[:1])["accepted"] == 1  # the refused batch's ids are free


# --- concurrency -----------------------------------------------------------------------------

THREADS = 8
BATCHES_PER_THREAD = 10
EVENTS_PER_BATCH = 50
RACE_TRIALS = 20


@pytest.fixture
def key_clients(base_url: str, api_key: str) -> Iterator[list[httpx.Client]]:
    clients = [key_client(base_url, api_key) for _ in range(THREADS)]
    yield clients
    for client in clients:
        client.close()


def concurrently(clients: list[httpx.Client], batches: list[list[Any]]) -> list[dict[str, Any]]:
    """POST batches[i] with clients[i], all released at the same moment; the response bodies."""
    start = threading.Barrier(len(batches))

    def sender(index: int) -> dict[str, Any]:
        start.wait()
        return post(clients[index], batches[index])

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(sender, range(len(batches))))


def test_concurrent_batches_into_one_run_and_hour_add_up_exactly(
    keyed: httpx.Client, key_clients: list[httpx.Client]
) -> None:
    run_id = new_run_id()
    hour = now().replace(minute=0, second=0, microsecond=0)
    unit = Decimal("0.0000000001")

    def batch(thread: int, number: int) -> list[dict[str, Any]]:
        first = (thread * BATCHES_PER_THREAD + number) * EVENTS_PER_BATCH
        return [
            custom_event(
                str(unit * (n + 1)),
                run_id=run_id,
                timestamp=hour.isoformat(),
                input_tokens=n + 1,
                output_tokens=1,
            )
            for n in range(first, first + EVENTS_PER_BATCH)
        ]

    start = threading.Barrier(THREADS)

    def sender(thread: int) -> list[dict[str, Any]]:
        start.wait()
        return [post(key_clients[thread], batch(thread, b)) for b in range(BATCHES_PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = [r for rs in pool.map(sender, range(THREADS)) for r in rs]

    total = THREADS * BATCHES_PER_THREAD * EVENTS_PER_BATCH
    assert all(
        r == {"accepted": EVENTS_PER_BATCH, "duplicates": 0, "rejected": []} for r in results
    )
    expected_cost = unit * total * (total + 1) / 2
    expected_input = total * (total + 1) // 2

    report = costs(keyed)
    assert report["total_events"] == total == 4000
    assert Decimal(report["total_cost_usd"]) == expected_cost
    (row,) = report["rows"]
    assert (row["events"], row["input_tokens"], row["output_tokens"]) == (
        total,
        expected_input,
        total,
    )
    assert Decimal(row["cost_usd"]) == expected_cost

    detail = run(keyed, run_id)
    assert detail["events"] == total
    assert Decimal(detail["total_cost_usd"]) == expected_cost
    assert (detail["input_tokens"], detail["output_tokens"]) == (expected_input, total)
    assert len(spans_of(detail)) == total


def test_the_same_batch_sent_concurrently_is_stored_once(
    keyed: httpx.Client, key_clients: list[httpx.Client]
) -> None:
    run_id = new_run_id()
    batch = [custom_event("0.001", run_id=run_id) for _ in range(EVENTS_PER_BATCH)]
    results = concurrently(key_clients, [batch] * THREADS)

    assert sum(r["accepted"] for r in results) == EVENTS_PER_BATCH
    assert sum(r["duplicates"] for r in results) == EVENTS_PER_BATCH * (THREADS - 1)
    report = costs(keyed)
    assert report["total_events"] == EVENTS_PER_BATCH
    assert Decimal(report["total_cost_usd"]) == Decimal("0.001") * EVENTS_PER_BATCH
    assert run(keyed, run_id)["events"] == EVENTS_PER_BATCH


def test_batches_sharing_ids_in_opposite_orders_do_not_deadlock(
    keyed: httpx.Client, key_clients: list[httpx.Client]
) -> None:
    """A resend racing its original with the events in another order: both answer 200."""
    for _ in range(RACE_TRIALS):
        batch = [custom_event("0.001") for _ in range(200)]
        results = concurrently(key_clients, [batch, batch[::-1]])
        assert sum(r["accepted"] for r in results) == 200
        assert sum(r["duplicates"] for r in results) == 200
    assert costs(keyed)["total_events"] == 200 * RACE_TRIALS


def _root_of_one_run_children_of_another(
    root_of: str, child_of: str, model: str
) -> list[dict[str, Any]]:
    root = custom_event("0.001", run_id=root_of, span_id="root", name="root", model=model)
    children = [
        custom_event("0.001", run_id=child_of, parent_span_id="root", model=model)
        for _ in range(100)
    ]
    return [root, *children]


def test_batches_touching_the_same_runs_named_differently_do_not_deadlock(
    keyed: httpx.Client, key_clients: list[httpx.Client]
) -> None:
    """Each batch carries the root span of one run and child spans of the other."""
    for _ in range(RACE_TRIALS):
        run_a, run_b = new_run_id(), new_run_id()
        batches = [
            _root_of_one_run_children_of_another(run_a, run_b, "model-x"),
            _root_of_one_run_children_of_another(run_b, run_a, "model-y"),
        ]
        assert [r["accepted"] for r in concurrently(key_clients, batches)] == [101, 101]
        for run_id in (run_a, run_b):
            detail = run(keyed, run_id)
            assert (detail["events"], detail["name"]) == (101, "root")
