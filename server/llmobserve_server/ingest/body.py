"""Reading a batch body: size limits on the wire and after gzip, without trusting either."""

from __future__ import annotations

import zlib
from typing import Any

from pydantic_core import from_json

from llmobserve_server.errors import ApiError
from llmobserve_server.ingest.schema import MAX_DECODED_BODY_BYTES, MAX_EVENTS_PER_BATCH


def _too_large() -> ApiError:
    megabytes = MAX_DECODED_BODY_BYTES // (1024 * 1024)
    return ApiError(
        413, "payload_too_large", f"The batch is larger than {megabytes} MB once decompressed."
    )


def decode(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise ApiError(
            415,
            "unsupported_encoding",
            f"Content-Encoding {encoding!r} is not supported; use gzip.",
        )
    return _gunzip(body)


def _gunzip(body: bytes) -> bytes:
    """Every member of a gzip stream (RFC 1952 allows several), each checked to its trailer."""
    decoded = bytearray()
    remaining = body
    while True:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            # max_length stops a small "gzip bomb" from inflating past the limit in memory.
            decoded += decompressor.decompress(remaining, MAX_DECODED_BODY_BYTES + 1 - len(decoded))
        except zlib.error as exc:
            raise ApiError(422, "invalid_body", "The body is not valid gzip.") from exc
        if len(decoded) > MAX_DECODED_BODY_BYTES or decompressor.unconsumed_tail:
            raise _too_large()
        if not decompressor.eof:  # cut short: its checksum was never seen
            raise ApiError(422, "invalid_body", "The gzip body is truncated.")
        remaining = decompressor.unused_data
        if not remaining:
            return bytes(decoded)


def parse_events(raw: bytes) -> list[Any]:
    """The list under "events", unvalidated; 422 when the body is not that shape, 413 when long."""
    try:
        document = from_json(raw) if raw.strip() else None
    except ValueError as exc:
        raise ApiError(422, "invalid_json", f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise ApiError(422, "invalid_body", 'The body must be a JSON object: {"events": [...]}.')
    events: list[Any] = document["events"]
    if len(events) > MAX_EVENTS_PER_BATCH:
        raise ApiError(
            413,
            "too_many_events",
            f"The batch has {len(events)} events; the limit is {MAX_EVENTS_PER_BATCH} per request.",
        )
    return events
