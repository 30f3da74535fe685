"""An OTLP/HTTP trace export body, parsed with the official `opentelemetry-proto` classes.

Both encodings of the specification: binary protobuf, and the JSON mapping of protobuf in which
`traceId`, `spanId` and `parentSpanId` are hex strings (not base64, as plain protobuf JSON would
have them). A body that does not decode is refused whole (`Malformed`, 400 over HTTP); a span
whose id is not hex is kept with an id of the wrong length, so that it alone is refused.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from pydantic_core import from_json

from llmobserve_server.domain_errors import Malformed

OtlpEncoding = Literal["protobuf", "json"]

_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")
_NOT_HEX = base64.b64encode(b"\x00").decode()  # one byte: refused as the wrong length


def parse_export(data: bytes, encoding: OtlpEncoding) -> ExportTraceServiceRequest:
    """The export request; raises Malformed when the body is not one."""
    if encoding == "protobuf":
        return _parse_protobuf(data)
    return _parse_json(data)


def _parse_protobuf(data: bytes) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(data)
    except (DecodeError, RecursionError, ValueError) as exc:
        raise Malformed(
            "invalid_body", "The body is not a protobuf ExportTraceServiceRequest."
        ) from exc
    return request


def _parse_json(data: bytes) -> ExportTraceServiceRequest:
    try:
        document = from_json(data) if data.strip() else None
    except ValueError as exc:
        raise Malformed("invalid_json", f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(document, dict):
        raise Malformed("invalid_body", 'The body must be a JSON object: {"resourceSpans": [...]}.')
    _hex_ids_to_base64(document)
    request = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise Malformed(
            "invalid_body",
            f"The body is not an OTLP JSON ExportTraceServiceRequest: {str(exc)[:300]}",
        ) from exc
    return request


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP JSON ids are hex; protobuf's JSON parser wants base64: rewrite them in place."""
    for resource_spans in _dicts(document.get("resourceSpans", document.get("resource_spans"))):
        scopes = resource_spans.get("scopeSpans", resource_spans.get("scope_spans"))
        for scope_spans in _dicts(scopes):
            for span in _dicts(scope_spans.get("spans")):
                _rewrite_ids(span)
                for link in _dicts(span.get("links")):
                    _rewrite_ids(link)


def _rewrite_ids(item: dict[str, Any]) -> None:
    for field in _ID_FIELDS:
        value = item.get(field)
        if isinstance(value, str):
            item[field] = _hex_to_base64(value)


def _hex_to_base64(value: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(value)).decode()
    except (ValueError, binascii.Error):
        return _NOT_HEX


def _dicts(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
