"""POST /otlp/v1/traces on a real server: OTLP/HTTP answers, and GenAI spans stored through the
same pipeline as /v1/events (pricing, idempotency, quota, runs)."""

from __future__ import annotations

import gzip
from decimal import Decimal

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, error_of
from tests.support.otlp_spans import (
    Encoding,
    chat_span,
    export,
    export_answer,
    new_trace_id,
    post_export,
    span,
)
from tests.support.usage_db import set_month_usage

ENCODINGS: list[Encoding] = ["protobuf", "json"]


def costs_by_model(client: httpx.Client) -> dict[str, dict[str, object]]:
    response = client.get("/v1/costs", params={"group_by": "model"})
    assert response.status_code == 200, response.text
    return {row["key"]: row for row in response.json()["rows"]}


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_genai_span_is_stored_and_priced_in_either_encoding(
    keyed: httpx.Client, encoding: Encoding, gzipped: bool
) -> None:
    response = post_export(
        keyed, export(chat_span(input_tokens=1000, output_tokens=100)), encoding, gzipped=gzipped
    )

    answer = export_answer(response)
    assert response.headers["content-type"].startswith(
        "application/x-protobuf" if encoding == "protobuf" else "application/json"
    )
    assert not answer.HasField("partial_success")
    row = costs_by_model(keyed)["gpt-4o-mini"]
    # gpt-4o-mini: $0.15 / M input, $0.60 / M output
    assert Decimal(str(row["cost_usd"])) == Decimal("0.000210")
    assert row["input_tokens"] == 1000 and row["output_tokens"] == 100


def test_a_retried_export_is_a_duplicate_and_costs_nothing_twice(keyed: httpx.Client) -> None:
    request = export(chat_span())
    export_answer(post_export(keyed, request))
    export_answer(post_export(keyed, request))

    assert costs_by_model(keyed)["gpt-4o-mini"]["events"] == 1


def test_the_trace_is_a_run_with_its_structural_ancestors(keyed: httpx.Client) -> None:
    trace = new_trace_id()
    handler = span("POST /chat", trace_id=trace)
    call = chat_span(trace_id=trace, parent_span_id=handler.span_id)
    export_answer(post_export(keyed, export(handler, call, span("cache.get", trace_id=trace))))

    response = keyed.get(f"/v1/runs/{trace.hex()}")
    assert response.status_code == 200, response.text
    (root,) = response.json()["spans"]
    assert root["name"] == "POST /chat" and Decimal(root["cost_usd"]) == 0
    assert [child["name"] for child in root["children"]] == ["chat gpt-4o-mini"]
    assert root["children"][0]["span_id"] == call.span_id.hex()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_malformed_span_is_reported_in_partial_success_and_the_others_stored(
    keyed: httpx.Client, encoding: Encoding
) -> None:
    broken = chat_span(input_tokens=-5)
    response = post_export(keyed, export(chat_span(), broken, chat_span()), encoding)

    answer = export_answer(response)
    assert answer.partial_success.rejected_spans == 1
    assert broken.span_id.hex() in answer.partial_success.error_message
    assert "input_tokens" in answer.partial_success.error_message
    assert costs_by_model(keyed)["gpt-4o-mini"]["events"] == 2


def test_non_genai_spans_alone_are_dropped_and_not_counted(keyed: httpx.Client) -> None:
    answer = export_answer(post_export(keyed, export(span("GET /health"), span("SELECT 1"))))
    assert not answer.HasField("partial_success")
    assert keyed.get("/v1/costs").json()["total_events"] == 0


def test_an_undecodable_body_is_a_400(keyed: httpx.Client) -> None:
    response = keyed.post(
        "/otlp/v1/traces",
        content=b"\xff\xff\xff not protobuf",
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert error_of(response, 400)["code"] == "invalid_body"


def test_invalid_json_is_a_400(keyed: httpx.Client) -> None:
    response = keyed.post(
        "/otlp/v1/traces", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert error_of(response, 400)["code"] == "invalid_json"


def test_a_broken_gzip_body_is_a_400(keyed: httpx.Client) -> None:
    body = gzip.compress(export(chat_span()).SerializeToString())[:-6]
    response = keyed.post(
        "/otlp/v1/traces",
        content=body,
        headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
    )
    assert error_of(response, 400)["code"] == "invalid_body"


def test_an_unknown_content_type_is_a_415(keyed: httpx.Client) -> None:
    response = keyed.post("/otlp/v1/traces", content=b"x", headers={"Content-Type": "text/plain"})
    assert error_of(response, 415)["code"] == "unsupported_media_type"


def test_a_missing_or_revoked_key_is_a_401(base_url: str, user: SignedInUser) -> None:
    body = export(chat_span()).SerializeToString()
    headers = {"Content-Type": "application/x-protobuf"}
    with httpx.Client(base_url=base_url) as anonymous:
        assert anonymous.post("/otlp/v1/traces", content=body, headers=headers).status_code == 401
        headers["Authorization"] = "Bearer llmo_sk_not_a_key"
        response = anonymous.post("/otlp/v1/traces", content=body, headers=headers)
        assert response.status_code == 401


def test_a_body_over_five_megabytes_is_a_413(keyed: httpx.Client) -> None:
    response = keyed.post(
        "/otlp/v1/traces",
        content=b"\x00" * (5 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/x-protobuf"},
    )
    assert error_of(response, 413)["code"] == "payload_too_large"


def test_more_genai_spans_than_a_batch_holds_is_a_413(keyed: httpx.Client) -> None:
    response = post_export(keyed, export(*(chat_span() for _ in range(1001))))
    assert error_of(response, 413)["code"] == "too_many_events"


def test_an_exhausted_quota_is_a_429_with_retry_after(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 10_000)
    response = post_export(keyed, export(chat_span()))

    assert error_of(response, 429)["code"] == "quota_exceeded"
    assert int(response.headers["Retry-After"]) > 0


def test_spans_over_the_quota_are_reported_in_partial_success(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 9_999)
    answer = export_answer(post_export(keyed, export(chat_span(), chat_span())))

    assert answer.partial_success.rejected_spans == 1
    assert "10,000 events" in answer.partial_success.error_message


def test_a_revoked_key_is_refused_on_the_next_export(base_url: str, user: SignedInUser) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "otel"}).json()
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {created['key']}"}
    ) as exporter:
        export_answer(post_export(exporter, export(chat_span())))
        assert user.client.delete(f"/v1/api-keys/{created['id']}").status_code == 204
        assert error_of(post_export(exporter, export(chat_span())), 401)


def test_a_client_cost_is_used_only_for_a_model_without_a_price(keyed: httpx.Client) -> None:
    trace = new_trace_id()
    unknown = chat_span(
        model="in-house-llm-7b", trace_id=trace, attributes={"gen_ai.usage.cost": 0.0125}
    )
    known = chat_span(trace_id=trace, attributes={"gen_ai.usage.cost": 99.0})
    export_answer(post_export(keyed, export(unknown, known)))

    spans = {s["model"]: s for s in keyed.get(f"/v1/runs/{trace.hex()}").json()["spans"]}
    assert spans["in-house-llm-7b"]["cost_source"] == "client"
    assert Decimal(spans["in-house-llm-7b"]["cost_usd"]) == Decimal("0.0125")
    assert spans["gpt-4o-mini"]["cost_source"] == "catalog"
    assert Decimal(spans["gpt-4o-mini"]["cost_usd"]) == Decimal("0.000210")
