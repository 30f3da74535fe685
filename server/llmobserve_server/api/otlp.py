"""POST /otlp/v1/traces: OpenTelemetry's OTLP/HTTP trace export, the collector's second door.

A standard exporter works unchanged with `OTEL_EXPORTER_OTLP_ENDPOINT=<server>/otlp` and
`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer llmo_sk_…`. The body (protobuf or JSON, either
optionally gzip) is decoded by `ingest.otlp` into the events `/v1/events` takes, and goes through
the same path (`api.events.receive_events`): key check, quota, pricing, idempotency, rollups.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from llmobserve_server.api.deps import bearer_token
from llmobserve_server.api.events import receive_events
from llmobserve_server.domain_errors import Malformed
from llmobserve_server.errors import ApiError
from llmobserve_server.ingest.body import decode
from llmobserve_server.ingest.otlp import (
    DecodedExport,
    OtlpEncoding,
    decode_export,
    export_response,
    parse_export,
)
from llmobserve_server.ingest.otlp.export import ExportTooLarge
from llmobserve_server.ingest.service import IncomingBatch, read_batch

router = APIRouter(prefix="/otlp/v1", tags=["opentelemetry"])

_MEDIA_TYPES: dict[str, OtlpEncoding] = {
    "application/x-protobuf": "protobuf",
    "application/protobuf": "protobuf",
    "application/json": "json",
}
_EXPORT_SCHEMA = {"type": "string", "format": "binary"}
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-protobuf": {"schema": _EXPORT_SCHEMA},
            "application/json": {"schema": {"type": "object"}},
        },
    },
    "responses": {
        "200": {
            "description": "An ExportTraceServiceResponse in the request's encoding, with "
            "partial_success when some spans were refused",
            "content": {"application/x-protobuf": {}, "application/json": {}},
        }
    },
}


class _ExportReader:
    """Reads one export body into a batch, keeping what the answer needs (which span each event
    came from, the spans refused before validation)."""

    def __init__(self, encoding: OtlpEncoding) -> None:
        self.encoding = encoding
        self.decoded = DecodedExport()

    def __call__(self, body: bytes, content_encoding: str | None) -> IncomingBatch:
        try:
            data = decode(body, content_encoding)
        except ApiError as exc:  # OTLP answers an undecodable body with 400
            raise ApiError(400 if exc.status == 422 else exc.status, exc.code, exc.message) from exc
        try:
            self.decoded = decode_export(parse_export(data, self.encoding))
        except ExportTooLarge as exc:
            raise ApiError(413, exc.code, exc.message) from exc
        except Malformed as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        return read_batch(self.decoded.events)


@router.post(
    "/traces",
    response_class=Response,
    openapi_extra=_OPENAPI,
    responses={
        400: {"description": "The body is not an ExportTraceServiceRequest"},
        401: {"description": "Unknown or revoked API key"},
        413: {"description": "More than 5 MB decoded, or more than 1,000 GenAI spans"},
        415: {"description": "Neither application/x-protobuf nor application/json"},
        429: {"description": "The plan's events for this month are used up (see Retry-After)"},
    },
)
async def post_traces(request: Request, background: BackgroundTasks) -> Response:
    """Store the GenAI spans of an OTLP trace export as events (with their non-GenAI ancestors
    as cost-free structural spans); other spans are dropped. Spans that cannot be stored are
    counted in `partial_success`. Authenticated with an API key:
    `Authorization: Bearer llmo_sk_…`."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401, "missing_api_key", "Send your API key as `Authorization: Bearer llmo_sk_…`."
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    encoding = _MEDIA_TYPES.get(media_type)
    if encoding is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the export as application/x-protobuf or application/json (OTLP/HTTP).",
        )
    body = await request.body()  # at most 5 MB: BodyLimitMiddleware stops longer bodies
    reader = _ExportReader(encoding)
    result = await receive_events(request, background, token=token, body=body, read=reader)
    decoded = reader.decoded
    problems = decoded.refused + [
        f"{decoded.label(entry.index)} {entry.error.get('message', '')}"
        for entry in result.rejected
    ]
    content, content_type = export_response(
        encoding, rejected_spans=len(problems), problems=problems
    )
    return Response(content, media_type=content_type)
