"""Encoding events into request bodies: JSON, split so that no body nears the collector's 5 MB
limit. An event that cannot be encoded loses its metadata rather than its cost."""

from __future__ import annotations

import json
from collections.abc import Iterator

from llmobserve._log import report_internal_error, warn_once
from llmobserve._queue import Event, Item

MAX_BODY_BYTES = 4_000_000  # the collector takes 5 MB decoded
MAX_EVENT_BYTES = 256_000  # far above any valid event (metadata is limited to 16 KB)


def encode_event(item: Item) -> bytes | None:
    """One queued event (built now if it was deferred) as compact JSON, or None when it cannot
    be sent."""
    try:
        event = item if isinstance(item, dict) else item.to_event()
    except Exception as exc:  # the SDK's own values: a bug
        report_internal_error(exc)
        return None
    try:
        return _dumps(event)
    except Exception:  # the application's metadata: circular, NaN, or a str() that raises
        pass
    warn_once(
        "metadata-encoding",
        "llmobserve: an event's metadata could not be encoded as JSON (circular or NaN values, or "
        "an object whose str() fails?); "
        "it was sent without metadata.",
    )
    try:
        return _dumps({k: v for k, v in event.items() if k != "metadata"})
    except (TypeError, ValueError, RecursionError) as exc:
        report_internal_error(exc)  # the SDK built this event: a bug
        return None


def _dumps(event: Event) -> bytes:
    text = json.dumps(
        event, default=str, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def request_bodies(encoded: list[bytes]) -> Iterator[tuple[int, bytes]]:
    """(number of events, body) pairs of at most MAX_BODY_BYTES each."""
    start, size = 0, 0
    for index, item in enumerate(encoded):
        if index > start and size + len(item) + 1 > MAX_BODY_BYTES:
            yield index - start, _body(encoded[start:index])
            start, size = index, 0
        size += len(item) + 1
    if start < len(encoded):
        yield len(encoded) - start, _body(encoded[start:])


def _body(items: list[bytes]) -> bytes:
    return b'{"events":[' + b",".join(items) + b"]}"
