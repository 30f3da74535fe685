"""Every event the SDK sends matches the wire-format contract, schema/events.v1.json."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve import Usage, record_call

SCHEMA = Path(__file__).parents[3] / "schema" / "events.v1.json"


def test_every_kind_of_event_matches_the_schema(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    start_sdk(collector_url=proxy.url)
    long = "x" * 500

    @llmobserve.agent(long)  # names longer than the limits are cut, not rejected
    async def agent_work() -> None:
        record_call(
            provider="anthropic",
            model="claude-sonnet-4-5",
            operation="chat",
            started_at=datetime.now(),  # naive: taken as UTC
            duration_ms=250.0,
            usage=Usage(
                input_tokens=300,
                cached_input_tokens=100,
                cache_write_input_tokens=50,
                output_tokens=40,
                reasoning_tokens=10,
            ),
            status="error",
            error="overloaded " * 1000,
        )

    with llmobserve.run(long), llmobserve.customer(long), llmobserve.section(f"/{long}//b/"):
        record_call(
            provider="pinecone",
            model=None,
            operation="query",
            started_at=datetime.now(timezone.utc),
            duration_ms=3.0,
            units={"read_units": 5, "bad": float("nan"), "negative": -1},  # type: ignore[dict-item]
        )
        llmobserve.track("custom", cost_usd=0.25, metadata={"nested": {"a": [1, 2]}})
        asyncio.run(agent_work())
    assert llmobserve.flush(timeout=5)

    events = [event for request in proxy.events_requests() for event in request.events]
    assert len(events) == 6  # 3 calls, the agent, the section and the run spans
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate({"events": events})
    for event in events:
        uuid.UUID(event["id"])
        assert datetime.fromisoformat(event["timestamp"]).tzinfo is not None
    stats = llmobserve.stats()
    assert (stats["sent"], stats["rejected"]) == (6, 0)  # the collector agrees
    pinecone = next(e for e in events if e.get("provider") == "pinecone")
    assert pinecone["units"] == {"read_units": 5}


def test_the_sdk_knows_every_token_field_of_the_schema() -> None:
    from llmobserve._call import TOKEN_FIELDS

    properties = json.loads(SCHEMA.read_text())["$defs"]["EventIn"]["properties"]
    assert sorted(TOKEN_FIELDS) == sorted(name for name in properties if name.endswith("_tokens"))
