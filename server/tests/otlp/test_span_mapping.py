"""How OTLP spans become events (pure: ingest/otlp without a server), one rule per test."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

from llmobserve_server.ingest.otlp import decode_export
from llmobserve_server.ingest.otlp.providers import catalogue_provider
from llmobserve_server.ingest.otlp.spans import EVENT_ID_NAMESPACE
from tests.support.otlp_spans import chat_span, export, new_span_id, new_trace_id, span


def only_event(*spans: Any, **kwargs: Any) -> dict[str, Any]:
    decoded = decode_export(export(*spans, **kwargs))
    assert decoded.refused == []
    (event,) = decoded.events
    return event


def test_the_event_id_is_derived_from_trace_and_span_ids() -> None:
    trace_id, span_id = new_trace_id(), new_span_id()
    event = only_event(chat_span(trace_id=trace_id, span_id=span_id))
    assert event["id"] == str(uuid.uuid5(EVENT_ID_NAMESPACE, trace_id.hex() + span_id.hex()))
    assert event["run_id"] == trace_id.hex() and event["span_id"] == span_id.hex()


def test_timestamp_is_the_start_and_duration_comes_from_the_end() -> None:
    start = 1_764_000_000_123_456_789
    event = only_event(chat_span(start_ns=start, duration_ns=1_500_000_000))
    assert event["timestamp"] == datetime(2025, 11, 24, 16, 0, 0, 123456, timezone.utc).isoformat()
    assert event["duration_ms"] == 1500.0


def test_current_token_names_map_to_the_event_fields() -> None:
    event = only_event(
        chat_span(
            input_tokens=1000,
            output_tokens=300,
            attributes={
                "gen_ai.usage.cache_read.input_tokens": 400,
                "gen_ai.usage.cache_creation.input_tokens": 100,
                "gen_ai.usage.reasoning.output_tokens": 200,
            },
        )
    )
    assert (event["input_tokens"], event["cached_input_tokens"]) == (1000, 400)
    assert (event["cache_write_input_tokens"], event["output_tokens"]) == (100, 300)
    assert event["reasoning_tokens"] == 200


def test_openllmetry_prompt_and_completion_names_are_read() -> None:
    attributes = {
        "gen_ai.system": "Anthropic",
        "gen_ai.request.model": "claude-3-5-haiku-latest",
        "gen_ai.usage.prompt_tokens": 1500,
        "gen_ai.usage.completion_tokens": 80,
        "gen_ai.usage.cache_read_input_tokens": 1000,
    }
    event = only_event(span("anthropic.chat", attributes=attributes))
    assert event["provider"] == "anthropic"
    assert (event["input_tokens"], event["cached_input_tokens"], event["output_tokens"]) == (
        1500,
        1000,
        80,
    )


def test_an_input_count_without_its_cached_parts_gets_them_added() -> None:
    """Anthropic's API reports input without cache reads and writes; an instrumentation that
    passes that on has parts larger than the whole, which is only possible that way."""
    attributes = {
        "gen_ai.system": "anthropic",
        "gen_ai.request.model": "claude-3-5-haiku-latest",
        "gen_ai.usage.input_tokens": 20,
        "gen_ai.usage.cache_read.input_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 500,
        "gen_ai.usage.output_tokens": 10,
    }
    event = only_event(span("chat", attributes=attributes))
    assert event["input_tokens"] == 1520


def test_openinference_attributes_are_read() -> None:
    attributes = {
        "openinference.span.kind": "LLM",
        "llm.provider": "openai",
        "llm.model_name": "gpt-4o-mini",
        "llm.token_count.prompt": 900,
        "llm.token_count.completion": 90,
        "llm.token_count.prompt_details.cache_read": 300,
    }
    event = only_event(span("ChatCompletion", attributes=attributes))
    assert (event["provider"], event["model"], event["operation"]) == (
        "openai",
        "gpt-4o-mini",
        "chat",
    )
    assert (event["input_tokens"], event["cached_input_tokens"], event["output_tokens"]) == (
        900,
        300,
        90,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aws.bedrock", "aws"),
        ("az.ai.openai", "azure"),
        ("gcp.gemini", "google"),
        ("gcp.vertex_ai", "google"),
        ("Anthropic", "anthropic"),
        ("mistral_ai", "mistral"),
        ("xai", "x-ai"),
        ("my-gateway", "my-gateway"),
    ],
)
def test_provider_names_become_catalogue_ids(name: str, expected: str) -> None:
    assert catalogue_provider(name) == expected


def test_provider_name_wins_over_the_older_system_attribute() -> None:
    event = only_event(
        chat_span(attributes={"gen_ai.provider.name": "az.ai.openai", "gen_ai.system": "openai"})
    )
    assert event["provider"] == "azure"


def test_response_model_wins_over_request_model() -> None:
    event = only_event(
        chat_span(
            attributes={
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.response.model": "gpt-4o-2024-08-06",
            }
        )
    )
    assert event["model"] == "gpt-4o-2024-08-06"


def test_operation_names_follow_the_wire_format() -> None:
    event = only_event(chat_span(attributes={"gen_ai.operation.name": "embeddings"}))
    assert event["operation"] == "embedding"


def test_a_client_cost_is_passed_on_for_the_pipeline_to_use_when_it_has_no_price() -> None:
    event = only_event(chat_span(attributes={"gen_ai.usage.cost": 0.0042}))
    assert str(event["cost_usd"]) == "0.0042"


def test_attribution_comes_from_llmobserve_attributes_then_user_ids() -> None:
    event = only_event(
        chat_span(
            attributes={
                "llmobserve.customer_id": "acme",
                "user.id": "u-1",
                "llmobserve.section": "support/answer",
                "gen_ai.agent.name": "triage",
            }
        )
    )
    assert (event["customer_id"], event["section"], event["agent"]) == (
        "acme",
        "support/answer",
        "triage",
    )
    assert only_event(chat_span(attributes={"enduser.id": "e-7"}))["customer_id"] == "e-7"


def test_resource_attributes_attribute_every_span_and_service_name_is_kept() -> None:
    event = only_event(chat_span(), resource={"service.name": "api", "llmobserve.section": "s"})
    assert event["section"] == "s"
    assert event["metadata"] == {"service.name": "api"}


def test_an_error_status_carries_its_message_or_the_exception_event() -> None:
    event = only_event(chat_span(error="rate limited"))
    assert (event["status"], event["error"]) == ("error", "rate limited")


def test_non_genai_ancestors_become_structural_spans_and_others_are_dropped() -> None:
    trace = new_trace_id()
    handler = span("GET /answer", trace_id=trace, attributes={"http.method": "GET"})
    step = span("retrieve", trace_id=trace, parent_span_id=handler.span_id)
    call = chat_span(trace_id=trace, parent_span_id=step.span_id)
    unrelated = span("SELECT users", trace_id=trace, parent_span_id=handler.span_id)
    decoded = decode_export(export(handler, step, call, unrelated))

    assert [e["name"] for e in decoded.events] == ["GET /answer", "retrieve", "chat gpt-4o-mini"]
    assert decoded.dropped == 1
    structural = decoded.events[0]
    assert "model" not in structural and "input_tokens" not in structural


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"trace_id": b"\x01" * 8}, "trace_id must be 16 bytes"),
        ({"trace_id": b""}, "trace_id must be 16 bytes"),
        ({"span_id": b"\x01" * 16}, "span_id must be 8 bytes"),
        ({"span_id": b"\x00" * 8}, "span_id must be 8 bytes"),
        ({"parent_span_id": b"\x01" * 3}, "parent_span_id must be empty or 8 bytes"),
        ({"start_time_unix_nano": 0}, "start_time_unix_nano is missing"),
    ],
)
def test_a_span_with_broken_ids_or_times_is_refused_alone(
    changes: dict[str, Any], problem: str
) -> None:
    broken = chat_span()
    for field, value in changes.items():
        setattr(broken, field, value)
    decoded = decode_export(export(chat_span(), broken, chat_span()))
    assert len(decoded.events) == 2
    (refusal,) = decoded.refused
    assert problem in refusal


def test_a_span_with_ten_thousand_attributes_is_refused_alone() -> None:
    crowded = chat_span(attributes={f"x.{i}": i for i in range(10_000)})
    decoded = decode_export(export(chat_span(), crowded))
    assert len(decoded.events) == 1
    (refusal,) = decoded.refused
    assert "10,006 attributes; at most 1,000" in refusal


def test_attribution_set_on_an_ancestor_reaches_the_calls_under_it() -> None:
    trace = new_trace_id()
    request = span(
        "POST /ticket",
        trace_id=trace,
        attributes={"llmobserve.customer_id": "acme", "llmobserve.section": "support"},
    )
    step = span("draft", trace_id=trace, parent_span_id=request.span_id)
    call = chat_span(
        trace_id=trace, parent_span_id=step.span_id, attributes={"llmobserve.section": "s/own"}
    )
    decoded = decode_export(export(request, step, call))
    event = decoded.events[-1]
    assert (event["customer_id"], event["section"]) == ("acme", "s/own")


def test_a_parent_cycle_in_hostile_ids_ends() -> None:
    trace = new_trace_id()
    first, second = new_span_id(), new_span_id()
    a = chat_span(trace_id=trace, span_id=first, parent_span_id=second)
    b = span("b", trace_id=trace, span_id=second, parent_span_id=first)
    assert len(decode_export(export(a, b)).events) == 2
