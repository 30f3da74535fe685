"""The OTLP/HTTP answer: an ExportTraceServiceResponse in the request's encoding, with
`partial_success` when some spans were refused (and empty when all were taken)."""

from __future__ import annotations

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from llmobserve_server.ingest.otlp.body import OtlpEncoding

MAX_ERROR_MESSAGE_CHARS = 2000


def export_response(
    encoding: OtlpEncoding, *, rejected_spans: int, problems: list[str]
) -> tuple[bytes, str]:
    """The body and its Content-Type. `problems` are sentences, one per refused span."""
    response = ExportTraceServiceResponse()
    if rejected_spans:
        response.partial_success.rejected_spans = rejected_spans
        message = "; ".join(problems)
        if len(message) > MAX_ERROR_MESSAGE_CHARS:
            message = message[: MAX_ERROR_MESSAGE_CHARS - 1] + "…"
        response.partial_success.error_message = message
    if encoding == "protobuf":
        return response.SerializeToString(), "application/x-protobuf"
    return json_format.MessageToJson(response, indent=None).encode(), "application/json"
