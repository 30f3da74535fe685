"""A whole OTLP export, turned into the events of one ingest batch.

GenAI spans become events; the non-GenAI spans that are their ancestors in the same export become
structural spans (so the run's tree shows the HTTP handler or the framework step); every other
span is dropped, and costs nothing against the quota. A span that cannot become an event (ids of
the wrong length, no start time, thousands of attributes) is refused on its own, with a sentence
that names it; the others go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmobserve_server.domain_errors import Malformed
from llmobserve_server.ingest.otlp.attributes import TooManyAttributes, attribute_map
from llmobserve_server.ingest.otlp.spans import (
    ATTRIBUTION_ATTRIBUTES,
    SpanRefused,
    genai_event,
    is_genai,
    structural_event,
)
from llmobserve_server.ingest.schema import MAX_EVENTS_PER_BATCH

if TYPE_CHECKING:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

MAX_SPANS = 20_000
"""The most spans one export may hold (the SDKs send 512 by default)."""


class ExportTooLarge(Malformed):
    """More spans, or more GenAI events, than one export may carry (413 over HTTP)."""


@dataclass
class DecodedExport:
    """`events[i]` came from the span `labels[i]` names; `refused` are the spans that could not
    become events, as sentences; `dropped` counts non-GenAI spans with no GenAI descendant."""

    events: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dropped: int = 0


@dataclass(frozen=True)
class _Candidate:
    span: Span
    attributes: dict[str, Any]
    resource: dict[str, Any]
    genai: bool


def decode_export(request: ExportTraceServiceRequest) -> DecodedExport:
    """Map every span of the export (pure CPU, no database)."""
    decoded = DecodedExport()
    candidates: list[_Candidate] = []
    for span, resource, attributes_error in _spans(request, decoded):
        try:
            if attributes_error is not None:
                raise attributes_error
            attributes = attribute_map(span.attributes)
        except (TooManyAttributes, SpanRefused) as exc:
            decoded.refused.append(f"{label(span)} {exc}")
            continue
        candidates.append(_Candidate(span, attributes, resource, is_genai(attributes)))

    structural = _genai_ancestors(candidates)
    by_key = {_key(c): c for c in candidates}
    for candidate in candidates:
        key = (bytes(candidate.span.trace_id), bytes(candidate.span.span_id))
        if not candidate.genai and key not in structural:
            decoded.dropped += 1
            continue
        try:
            if candidate.genai:
                inherited = _inherited_attribution(candidate, by_key)
                event = genai_event(
                    candidate.span, candidate.attributes, candidate.resource, inherited
                )
            else:
                event = structural_event(candidate.span, candidate.resource)
        except SpanRefused as exc:
            decoded.refused.append(f"{label(candidate.span)} {exc}")
            continue
        decoded.events.append(event)
        decoded.labels.append(label(candidate.span))
    if len(decoded.events) > MAX_EVENTS_PER_BATCH:
        raise ExportTooLarge(
            "too_many_events",
            f"The export holds {len(decoded.events):,} GenAI spans and their ancestors; "
            f"the limit is {MAX_EVENTS_PER_BATCH:,} per request (lower the exporter's batch size).",
        )
    return decoded


def label(span: Span) -> str:
    """How a refusal names a span: its name and ids, short."""
    name = span.name[:60] or "(unnamed)"
    return f"span {name!r} (span_id {span.span_id.hex()[:32] or '-'}):"


def _spans(
    request: ExportTraceServiceRequest, decoded: DecodedExport
) -> Iterator[tuple[Span, dict[str, Any], TooManyAttributes | None]]:
    count = sum(
        len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans
    )
    if count > MAX_SPANS:
        raise ExportTooLarge(
            "too_many_spans",
            f"The export holds {count:,} spans; the limit is {MAX_SPANS:,} per request.",
        )
    for resource_spans in request.resource_spans:
        resource_error: TooManyAttributes | None = None
        try:
            resource = attribute_map(resource_spans.resource.attributes)
        except TooManyAttributes as exc:
            resource, resource_error = {}, TooManyAttributes(f"its resource {exc}")
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield span, resource, resource_error


def _key(candidate: _Candidate) -> tuple[bytes, bytes]:
    return bytes(candidate.span.trace_id), bytes(candidate.span.span_id)


def _inherited_attribution(
    candidate: _Candidate, by_key: dict[tuple[bytes, bytes], _Candidate]
) -> dict[str, Any]:
    """The attribution attributes (customer, section, agent) of the span's ancestors in this
    export, the nearest first: set once on the request's span, they reach every call under it."""
    inherited: dict[str, Any] = {}
    trace = bytes(candidate.span.trace_id)
    parent = by_key.get((trace, bytes(candidate.span.parent_span_id)))
    seen = 0
    while parent is not None and seen < len(by_key):  # `seen` guards against cycles
        for name in ATTRIBUTION_ATTRIBUTES:
            if name in parent.attributes and name not in inherited:
                inherited[name] = parent.attributes[name]
        parent = by_key.get((trace, bytes(parent.span.parent_span_id)))
        seen += 1
    return inherited


def _genai_ancestors(candidates: list[_Candidate]) -> set[tuple[bytes, bytes]]:
    """(trace id, span id) of every non-GenAI span above a GenAI span in this export."""
    parents = {
        (bytes(c.span.trace_id), bytes(c.span.span_id)): bytes(c.span.parent_span_id)
        for c in candidates
    }
    ancestors: set[tuple[bytes, bytes]] = set()
    for candidate in candidates:
        if not candidate.genai:
            continue
        trace = bytes(candidate.span.trace_id)
        parent = bytes(candidate.span.parent_span_id)
        while parent and (trace, parent) in parents and (trace, parent) not in ancestors:
            ancestors.add((trace, parent))
            parent = parents[(trace, parent)]
    return ancestors - {
        (bytes(c.span.trace_id), bytes(c.span.span_id)) for c in candidates if c.genai
    }
