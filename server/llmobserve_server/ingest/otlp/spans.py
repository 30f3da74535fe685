"""One OTLP span as one event dict of the v1 wire format (validated afterwards by the pipeline,
like any event from `/v1/events`).

- `id`: a UUID derived from (trace id, span id), so an exporter's retry is a duplicate;
- `run_id` = the trace id (hex), `span_id` / `parent_span_id` kept, so the run is the trace's tree;
- `timestamp` = the start, `duration_ms` from the end; status ERROR → `status: error` with the
  status message, else the exception event's type and message, as `error`;
- GenAI spans (`gen_ai.*`, OpenInference's `llm.*`) carry provider, model, operation, tokens,
  a client-side cost, customer, section and agent; their non-GenAI ancestors are structural spans
  (name, times and status only: cost-free, never counted against the quota).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from llmobserve_server.ingest.otlp.providers import catalogue_provider
from llmobserve_server.ingest.otlp.tokens import token_fields

if TYPE_CHECKING:
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

EVENT_ID_NAMESPACE = uuid.UUID("5d9e2c1c-4f0b-5a43-9a1e-6f746c700001")
"""uuid5 namespace of OTLP span event ids (fixed forever: changing it would double-count)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_STATUS_CODE_ERROR = 2
_MAX_NAME = 200
_MAX_OPERATION = 32
_OPERATIONS = {"text_completion": "completion", "embeddings": "embedding"}
_OPENINFERENCE_OPERATIONS = {"LLM": "chat", "EMBEDDING": "embedding"}


class SpanRefused(ValueError):
    """The span cannot become an event; the message says why, in a sentence fragment."""


_GENAI_PREFIXES = ("gen_ai.", "llm.")
_NAMESPACE_BYTES = EVENT_ID_NAMESPACE.bytes


def is_genai(attributes: Mapping[str, Any]) -> bool:
    """A span of the GenAI conventions, OpenLLMetry's or OpenInference's model calls."""
    kind = attributes.get("openinference.span.kind")
    if kind in _OPENINFERENCE_OPERATIONS:
        return True
    for key in attributes:
        if key.startswith(_GENAI_PREFIXES):
            return True
    return False


def event_id(trace_hex: str, span_hex: str) -> str:
    """`str(uuid.uuid5(EVENT_ID_NAMESPACE, trace_hex + span_hex))`, without building the UUID
    object (this runs once per span)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + (trace_hex + span_hex).encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def check_ids(trace_id: bytes, span_id: bytes, parent_span_id: bytes) -> None:
    """Raises SpanRefused unless the trace id is 16 bytes, the span id 8 and the parent 0 or 8."""
    if len(trace_id) != 16 or not any(trace_id):
        raise SpanRefused("trace_id must be 16 bytes (32 hex digits), not all zero")
    if len(span_id) != 8 or not any(span_id):
        raise SpanRefused("span_id must be 8 bytes (16 hex digits), not all zero")
    if parent_span_id and len(parent_span_id) != 8:
        raise SpanRefused("parent_span_id must be empty or 8 bytes (16 hex digits)")


def structural_event(span: Span, resource: Mapping[str, Any]) -> dict[str, Any]:
    """A non-GenAI span that is an ancestor of a GenAI span: it shapes the run's tree only."""
    return _common_fields(span, resource)


ATTRIBUTION_ATTRIBUTES = (
    "llmobserve.customer_id",
    "user.id",
    "enduser.id",
    "llmobserve.section",
    "gen_ai.agent.name",
    "llmobserve.agent",
)


def genai_event(
    span: Span,
    attributes: Mapping[str, Any],
    resource: Mapping[str, Any],
    inherited: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A GenAI span: the model call with its usage and attribution. Attribution is the span's
    own, else its nearest ancestor's in the export (`inherited`), else the resource's."""
    event = _common_fields(span, resource)
    both = (attributes, inherited or {}, resource)  # the span's own attribution wins
    provider = _text(attributes, "gen_ai.provider.name", "gen_ai.system", "llm.provider")
    event["provider"] = catalogue_provider(provider or _text(attributes, "llm.system"))
    event["model"] = _text(
        attributes,
        "gen_ai.response.model",
        "gen_ai.request.model",
        "llm.model_name",
        "llm.response.model",
        "llm.request.model",
    )
    event["operation"] = _operation(attributes)
    event.update(token_fields(attributes).as_event_fields())
    cost = _first(attributes, "gen_ai.usage.cost.amount", "gen_ai.usage.cost")
    if cost is not None:
        event["cost_usd"] = _decimal(cost)
    event["customer_id"] = _attribution(both, "llmobserve.customer_id", "user.id", "enduser.id")
    event["section"] = _attribution(both, "llmobserve.section")
    event["agent"] = _attribution(both, "gen_ai.agent.name", "llmobserve.agent")
    return {key: value for key, value in event.items() if value is not None}


def _common_fields(span: Span, resource: Mapping[str, Any]) -> dict[str, Any]:
    trace_id, span_id, parent_span_id = span.trace_id, span.span_id, span.parent_span_id
    check_ids(trace_id, span_id, parent_span_id)
    start, end = span.start_time_unix_nano, span.end_time_unix_nano
    if start == 0:
        raise SpanRefused("start_time_unix_nano is missing")
    if end and end < start:
        raise SpanRefused("end_time_unix_nano is before start_time_unix_nano")
    trace_hex, span_hex = trace_id.hex(), span_id.hex()
    event: dict[str, Any] = {
        "id": event_id(trace_hex, span_hex),
        "timestamp": _time(start).isoformat(),
        "run_id": trace_hex,
        "span_id": span_hex,
    }
    name = span.name.strip()[:_MAX_NAME]
    if name:
        event["name"] = name
    if parent_span_id:
        event["parent_span_id"] = parent_span_id.hex()
    if end:
        event["duration_ms"] = (end - start) / 1e6
    status = span.status
    if status.code == _STATUS_CODE_ERROR:
        event["status"] = "error"
        event["error"] = status.message or _exception_message(span) or "error"
    service = resource.get("service.name")
    if isinstance(service, str):
        event["metadata"] = {"service.name": service}
    return event


def _time(unix_nano: int) -> datetime:
    return _EPOCH + timedelta(microseconds=unix_nano // 1000)


def _exception_message(span: Span) -> str | None:
    for span_event in span.events:
        if span_event.name != "exception":
            continue
        fields = {item.key: item.value.string_value for item in span_event.attributes[:64]}
        kind, message = fields.get("exception.type"), fields.get("exception.message")
        text = ": ".join(part for part in (kind, message) if part)
        if text:
            return text
    return None


def _operation(attributes: Mapping[str, Any]) -> str | None:
    name = _text(attributes, "gen_ai.operation.name", "llm.request.type")
    if name is None:
        kind = attributes.get("openinference.span.kind")
        return _OPENINFERENCE_OPERATIONS.get(kind) if isinstance(kind, str) else None
    return _OPERATIONS.get(name, name)[:_MAX_OPERATION]


def _first(attributes: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = attributes.get(name)
        if value is not None:
            return value
    return None


def _attribution(sources: tuple[Mapping[str, Any], ...], *names: str) -> str | None:
    """The first of `names` that any source holds (as text), the sources in order for each."""
    for name in names:
        for source in sources:
            if name in source:
                value = _text(source, name)
                if value is not None:
                    return value
    return None  # (a loop over few names and three sources: cheaper than merging the dicts)


def _text(attributes: Mapping[str, Any], *names: str) -> str | None:
    """The first of `names` holding a non-empty string (numbers, e.g. a numeric user id, too)."""
    for name in names:
        value = attributes.get(name)
        if type(value) is str:
            value = value.strip()
            if value:
                return value
        elif type(value) is int:  # not bool: type(True) is bool
            return str(value)
    return None


def _decimal(value: Any) -> Any:
    """A cost attribute as a Decimal; anything else is passed on for validation to refuse."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value))
    return value
