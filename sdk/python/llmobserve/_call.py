"""The one door through which integrations hand a finished provider call to the SDK.

Integrations (openai, anthropic, pinecone, ...) measure a call and describe it with `record_call`;
this module adds the caller's context (run, parent span, section, customer, agent), turns it into
a wire-format event (schema/events.v1.json) and queues it for the background transport. It never
raises and never blocks: the host app's call has already happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from llmobserve._client import active_worker
from llmobserve._events import call_event, put, put_count, put_metadata, put_units
from llmobserve._log import report_internal_error

_TOKEN_FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
)


@dataclass(frozen=True)
class Usage:
    """Token usage in the wire format's meaning (see docs/api.md):

    input_tokens counts ALL input tokens (cached and cache-write included); cached_input_tokens
    and cache_write_input_tokens are parts of it. output_tokens counts all output tokens;
    reasoning_tokens is a part of it. Integrations normalize each provider to this.
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0


def record_call(
    *,
    provider: str,
    model: str | None,
    operation: str,
    started_at: datetime,
    duration_ms: float,
    usage: Usage | None = None,
    units: Mapping[str, float] | None = None,
    status: Literal["ok", "error"] = "ok",
    error: str | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Queue one event for a finished call. `started_at` is timezone-aware UTC.

    A leaf span under the innermost open span of the caller's context, in its run (or in a run
    of its own outside every run). Example, from an integration::

        record_call(provider="openai", model="gpt-4o-mini", operation="chat",
                    started_at=started, duration_ms=812.5,
                    usage=Usage(input_tokens=1200, cached_input_tokens=1024, output_tokens=80))
    """
    worker = active_worker()
    if worker is None or not worker.admit():
        return
    try:
        event = call_event(
            timestamp=started_at,
            operation=operation,
            name=name,
            provider=provider,
            model=model,
            duration_ms=duration_ms,
        )
        if usage is not None:
            for field in _TOKEN_FIELDS:
                put_count(event, field, getattr(usage, field))
        put_units(event, units)
        put_metadata(event, metadata)
        if status == "error":
            event["status"] = "error"
            put(event, "error", error)
        worker.enqueue(event)
    except Exception as exc:  # the SDK's own error: never the host's problem
        report_internal_error(exc)


def is_enabled() -> bool:
    """Whether `init` ran with a key and the SDK is on (integrations pass straight through if
    not)."""
    return active_worker() is not None
