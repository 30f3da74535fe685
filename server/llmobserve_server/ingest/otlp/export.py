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
    """`events[i]` came from the span `spans[i]` (`label(i)` names it); `refused` are the spans
    that could not become events, as sentences; `dropped` counts non-GenAI spans with no GenAI
    descendant."""

    events: list[dict[str, Any]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dropped: int = 0

    def label(self, index: int) -> str:
        return label(self.spans[index])


@dataclass(slots=True)
class _Candidate:
    span: Span
    key: tuple[bytes, bytes]  # (trace id, span id)
    parent_key: tuple[bytes, bytes]  # (trace id, parent span id)
    attributes: dict[str, Any]
    resource: dict[str, Any]
    genai: bool


def decode_export(request: ExportTraceServiceRequest) -> DecodedExport:
    """Map every span of the export (pure CPU, no database)."""
    decoded = DecodedExport()
    candidates: list[_Candidate] = []
    for span, resource, attributes_error in _spans(request):
        try:
            if attributes_error is not None:
                raise attributes_error
            attributes = attribute_map(span.attributes)
        except (TooManyAttributes, SpanRefused) as exc:
            decoded.refused.append(f"{label(span)} {exc}")
            continue
        trace_id = span.trace_id
        candidates.append(
            _Candidate(
                span,
                (trace_id, span.span_id),
                (trace_id, span.parent_span_id),
                attributes,
                resource,
                is_genai(attributes),
            )
        )

    by_key = {c.key: c for c in candidates}
    structural = _genai_ancestors(candidates, by_key)
    for candidate in candidates:
        if not candidate.genai and candidate.key not in structural:
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
        decoded.spans.append(candidate.span)
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
    request: ExportTraceServiceRequest,
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


def _inherited_attribution(
    candidate: _Candidate, by_key: dict[tuple[bytes, bytes], _Candidate]
) -> dict[str, Any]:
    """The attribution attributes (customer, section, agent) of the span's ancestors in this
    export, the nearest first: set once on the request's span, they reach every call under it."""
    inherited: dict[str, Any] = {}
    parent = by_key.get(candidate.parent_key)
    seen = 0
    while parent is not None and seen < len(by_key):  # `seen` guards against cycles
        attributes = parent.attributes
        for name in ATTRIBUTION_ATTRIBUTES:
            if name in attributes and name not in inherited:
                inherited[name] = attributes[name]
        parent = by_key.get(parent.parent_key)
        seen += 1
    return inherited


def _genai_ancestors(
    candidates: list[_Candidate], by_key: dict[tuple[bytes, bytes], _Candidate]
) -> set[tuple[bytes, bytes]]:
    """(trace id, span id) of every non-GenAI span above a GenAI span in this export."""
    ancestors: set[tuple[bytes, bytes]] = set()
    for candidate in candidates:
        if not candidate.genai:
            continue
        parent = by_key.get(candidate.parent_key)
        while parent is not None and parent.key not in ancestors:
            ancestors.add(parent.key)
            parent = by_key.get(parent.parent_key)
    return {key for key in ancestors if not by_key[key].genai}
