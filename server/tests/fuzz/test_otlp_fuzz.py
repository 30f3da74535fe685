"""OTLP exports with hostile spans (extreme or mistyped token counts, ids of any length, missing
times, huge attribute lists) and hostile bodies (random bytes, random JSON): every export is
answered 200 with the bad span refused on its own, or 400/413 for a body that is not an export;
never a 5xx, and the good span beside a bad one is always stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmobserve_server.testing import RunningServer
from tests.support.factories import key_client, sign_up
from tests.support.otlp_spans import chat_span, export, export_answer, otlp_json, post_export

FUZZ_SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
ATTRIBUTE_VALUES = st.one_of(
    st.sampled_from([0, -1, 10**9, 10**9 + 1, 2**63 - 1, -(2**63)]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=20),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=10), max_size=3),
)
TOKEN_ATTRIBUTES = st.sampled_from(
    [
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.reasoning.output_tokens",
        "gen_ai.usage.prompt_tokens",
        "llm.token_count.prompt",
        "gen_ai.usage.cost",
        "gen_ai.request.model",
        "gen_ai.system",
        "user.id",
        "llmobserve.section",
    ]
)
IDS = st.one_of(st.binary(max_size=40), st.sampled_from([b"", b"\x00" * 8, b"\x00" * 16]))


@st.composite
def hostile_spans(draw: st.DrawFn) -> Any:
    attributes = draw(st.dictionaries(TOKEN_ATTRIBUTES, ATTRIBUTE_VALUES, max_size=6))
    hostile = chat_span(attributes=attributes)
    if draw(st.booleans()):
        hostile.trace_id = draw(IDS)
    if draw(st.booleans()):
        hostile.span_id = draw(IDS)
    if draw(st.booleans()):
        hostile.parent_span_id = draw(IDS)
    if draw(st.booleans()):
        hostile.start_time_unix_nano = draw(st.integers(min_value=0, max_value=2**64 - 1))
    if draw(st.booleans()):
        hostile.end_time_unix_nano = draw(st.integers(min_value=0, max_value=2**64 - 1))
    hostile.name = draw(st.text(max_size=300))
    return hostile


@pytest.fixture(scope="module")
def keyed(fuzz_server: RunningServer) -> Iterator[httpx.Client]:
    user = sign_up(fuzz_server.base_url)
    with key_client(fuzz_server.base_url, user.create_key("otlp fuzz")) as client:
        yield client
    user.client.close()


@FUZZ_SETTINGS
@given(hostile=hostile_spans(), encoding=st.sampled_from(["protobuf", "json"]))
def test_a_hostile_span_never_costs_the_export(
    keyed: httpx.Client, hostile: Any, encoding: str
) -> None:
    good = chat_span()
    response = post_export(keyed, export(good, hostile), encoding)  # type: ignore[arg-type]
    answer = export_answer(response)
    assert answer.partial_success.rejected_spans <= 1, answer
    assert good.span_id.hex() not in answer.partial_success.error_message
    stored = keyed.get(f"/v1/runs/{good.trace_id.hex()}")
    assert stored.status_code == 200, stored.text


@FUZZ_SETTINGS
@given(body=st.binary(max_size=2000), encoding=st.sampled_from(["protobuf", "json"]))
def test_random_bytes_are_refused_cleanly(keyed: httpx.Client, body: bytes, encoding: str) -> None:
    content_type = "application/x-protobuf" if encoding == "protobuf" else "application/json"
    response = keyed.post("/otlp/v1/traces", content=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 400), response.text[:500]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=12,
)
SPAN_FIELDS = st.sampled_from(
    ["traceId", "spanId", "parentSpanId", "startTimeUnixNano", "attributes", "status", "kind"]
)


@FUZZ_SETTINGS
@given(changes=st.dictionaries(SPAN_FIELDS, JSON_VALUES, min_size=1, max_size=3))
def test_json_spans_with_mistyped_fields_are_refused_cleanly(
    keyed: httpx.Client, changes: dict[str, Any]
) -> None:
    document = otlp_json(export(chat_span()))
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][0].update(changes)
    response = keyed.post(
        "/otlp/v1/traces",
        content=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (200, 400), response.text[:500]


def test_a_span_with_ten_thousand_attributes_is_refused_and_its_neighbour_stored(
    keyed: httpx.Client,
) -> None:
    good = chat_span()
    crowded = chat_span(attributes={f"k{i}": i for i in range(10_000)})
    answer = export_answer(post_export(keyed, export(good, crowded)))

    assert answer.partial_success.rejected_spans == 1
    assert "10,006 attributes" in answer.partial_success.error_message
    assert keyed.get(f"/v1/runs/{good.trace_id.hex()}").status_code == 200
