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


MAX_GZIP_MEMBERS = 100
"""RFC 1952 allows a stream of several gzip members; a client has no reason to send more than a
few, and each one costs a decompressor of its own."""
_CHUNK = 64 * 1024


def _gunzip(body: bytes) -> bytes:
    """Every member of a gzip stream, each checked to its trailer, in time linear in the body.

    The body is fed to zlib in chunks: a member's `unused_data` (the input after its end) is then
    at most one chunk, never the rest of the body, so that a body of many tiny members costs no
    copy of the remainder per member (which made such a body take time quadratic in its size).
    """
    decoded = bytearray()
    view = memoryview(body)
    position = 0
    carried: bytes | memoryview = b""  # input read past the end of the previous member
    members = 1
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    while carried or position < len(body):
        chunk: bytes | memoryview
        if carried:
            chunk, carried = carried, b""
        else:
            chunk = view[position : position + _CHUNK]
            position += len(chunk)
        try:
            # max_length stops a small "gzip bomb" from inflating past the limit in memory.
            decoded += decompressor.decompress(chunk, MAX_DECODED_BODY_BYTES + 1 - len(decoded))
        except zlib.error as exc:
            raise ApiError(422, "invalid_body", "The body is not valid gzip.") from exc
        if len(decoded) > MAX_DECODED_BODY_BYTES or decompressor.unconsumed_tail:
            raise _too_large()
        if decompressor.eof:
            carried = decompressor.unused_data
            if not carried and position == len(body):
                return bytes(decoded)
            members += 1
            if members > MAX_GZIP_MEMBERS:
                raise ApiError(
                    422,
                    "invalid_body",
                    f"The gzip body has more than {MAX_GZIP_MEMBERS} members; "
                    "compress the batch as one gzip stream.",
                )
            decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    # The input ended inside a member (or was empty): its checksum was never seen.
    raise ApiError(422, "invalid_body", "The gzip body is truncated.")


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
