"""OTLP test data: spans and export requests built with the official protobuf classes, and a
client that posts them to /otlp/v1/traces as an exporter would."""

from __future__ import annotations

import gzip
import json
import os
import time
from typing import Any, Literal

import httpx
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

Encoding = Literal["protobuf", "json"]
CONTENT_TYPES = {"protobuf": "application/x-protobuf", "json": "application/json"}


def new_trace_id() -> bytes:
    return os.urandom(16)


def new_span_id() -> bytes:
    return os.urandom(8)


def any_value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, list):
        result = AnyValue()
        result.array_value.values.extend(any_value(item) for item in value)
        return result
    return AnyValue(string_value=str(value))


def key_values(attributes: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=key, value=any_value(value)) for key, value in attributes.items()]


def span(
    name: str = "chat gpt-4o-mini",
    *,
    trace_id: bytes | None = None,
    span_id: bytes | None = None,
    parent_span_id: bytes = b"",
    attributes: dict[str, Any] | None = None,
    start_ns: int | None = None,
    duration_ns: int = 250_000_000,
    error: str | None = None,
) -> Span:
    start = start_ns if start_ns is not None else time.time_ns() - 60 * 10**9
    result = Span(
        trace_id=trace_id if trace_id is not None else new_trace_id(),
        span_id=span_id if span_id is not None else new_span_id(),
        parent_span_id=parent_span_id,
        name=name,
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=start,
        end_time_unix_nano=start + duration_ns,
    )
    result.attributes.extend(key_values(attributes or {}))
    if error is not None:
        result.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
    return result


def chat_span(
    model: str = "gpt-4o-mini", input_tokens: int = 1000, output_tokens: int = 100, **kwargs: Any
) -> Span:
    """A GenAI chat span as the OpenTelemetry conventions describe it."""
    attributes = {
        "gen_ai.provider.name": "openai",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }
    attributes.update(kwargs.pop("attributes", {}))
    return span(f"chat {model}", attributes=attributes, **kwargs)


def export(*spans: Span, resource: dict[str, Any] | None = None) -> ExportTraceServiceRequest:
    resource_spans = ResourceSpans(scope_spans=[ScopeSpans(spans=list(spans))])
    resource_spans.resource.attributes.extend(
        key_values(resource if resource is not None else {"service.name": "checkout"})
    )
    return ExportTraceServiceRequest(resource_spans=[resource_spans])


def otlp_json(request: ExportTraceServiceRequest) -> dict[str, Any]:
    """The OTLP JSON encoding: protobuf's JSON mapping with hex ids (not base64)."""
    document = json_format.MessageToDict(request)
    for resource_spans in document.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for item in scope_spans.get("spans", []):
                for field in ("traceId", "spanId", "parentSpanId"):
                    if field in item:
                        item[field] = _base64_to_hex(item[field])
    return document


def _base64_to_hex(value: str) -> str:
    import base64

    return base64.b64decode(value).hex()


def encode(
    request: ExportTraceServiceRequest, encoding: Encoding, *, gzipped: bool = False
) -> tuple[bytes, dict[str, str]]:
    if encoding == "protobuf":
        body = request.SerializeToString()
    else:
        body = json.dumps(otlp_json(request)).encode()
    headers = {"Content-Type": CONTENT_TYPES[encoding]}
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return body, headers


def post_export(
    client: httpx.Client,
    request: ExportTraceServiceRequest,
    encoding: Encoding = "protobuf",
    *,
    gzipped: bool = False,
) -> httpx.Response:
    body, headers = encode(request, encoding, gzipped=gzipped)
    return client.post("/otlp/v1/traces", content=body, headers=headers)


def export_answer(response: httpx.Response) -> ExportTraceServiceResponse:
    """The 200 answer, decoded in the encoding it came in."""
    assert response.status_code == 200, response.text
    answer = ExportTraceServiceResponse()
    if response.headers["content-type"].startswith("application/x-protobuf"):
        answer.ParseFromString(response.content)
    else:
        json_format.Parse(response.text, answer)
    return answer
