"""`track()`: record a costed event the integrations do not see (a custom model, a paid API)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, Union

from llmobserve import _values as values
from llmobserve._call import TOKEN_FIELDS, FinishedCall, Usage, queue_call
from llmobserve._client import active_worker
from llmobserve._context import current_frame

Cost = Union[Decimal, str, float, int]
PROVIDER_MAX_LENGTH = 64  # the wire format's bound on `provider`


def track(
    name: str,
    *,
    cost_usd: Cost | None = None,
    provider: str | None = None,
    model: str | None = None,
    operation: str = "custom",
    input_tokens: int = 0,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    cache_write_input_tokens: int = 0,
    reasoning_tokens: int = 0,
    cache_write_1h_input_tokens: int = 0,
    input_audio_tokens: int = 0,
    output_audio_tokens: int = 0,
    service_tier: str | None = None,
    units: Mapping[str, float] | None = None,
    duration_ms: float | None = None,
    status: Literal["ok", "error"] = "ok",
    error: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    customer_id: str | None = None,
) -> None:
    """Record one custom event: a cost the integrations do not see.

    The event joins the current run, section, agent and customer (or is a run of its own outside
    every run). It takes the same path as the integrations' calls (built by the background
    thread). It never raises and never blocks: a value it cannot use is left out with one
    warning; without `init()` it does nothing.

    Args:
        name: What the event is, shown in the run's span tree.
        cost_usd: Your cost (a `Decimal`, `str`, `int` or `float`, sent as an exact decimal
            string); used when the server has no price of its own for `provider`/`model`.
        provider: The provider or service, e.g. `"acme-ocr"`. Without a provider or a model,
            the event's `name` (its first 64 characters) stands as its provider, so its cost
            shows under that name in costs by provider and by model.
        model: The model, e.g. `"gpt-4o-mini"` (the server prices its tokens).
        operation: The kind of operation (`"chat"`, `"embedding"`, ...); default `"custom"`.
        input_tokens: All input tokens, cached ones included.
        output_tokens: All output tokens, reasoning ones included.
        cached_input_tokens: The cache-read part of `input_tokens`.
        cache_write_input_tokens: The cache-write part of `input_tokens` (Anthropic).
        reasoning_tokens: The reasoning part of `output_tokens`.
        cache_write_1h_input_tokens: The 1-hour-TTL part of `cache_write_input_tokens`.
        input_audio_tokens: The audio part of `input_tokens` not read from the cache.
        output_audio_tokens: The audio part of `output_tokens`.
        service_tier: `"standard"`, `"batch"`, `"flex"` or `"priority"` (the server prices
            batch and flex calls at their discount); anything else is left out.
        units: Non-token usage, e.g. `{"pages": 3}`.
        duration_ms: How long it took; the event's timestamp is then its start.
        status: `"error"` for a failed operation.
        error: The error message of a failed operation.
        metadata: A JSON object, at most 16 KB encoded.
        customer_id: Overrides the context's customer for this event.

    Example:
        ```python
        llmobserve.track("ocr-page", cost_usd=Decimal("0.0015"), provider="acme-ocr",
                         units={"pages": 1}, metadata={"document": doc_id})
        ```
    """
    worker = active_worker()
    if worker is None or not worker.admit():
        return
    now = time.time()
    duration = values.number(duration_ms, "duration_ms", "track")
    tokens = {
        "input_tokens": input_tokens,
        "cached_input_tokens": cached_input_tokens,
        "cache_write_input_tokens": cache_write_input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens,
        "cache_write_1h_input_tokens": cache_write_1h_input_tokens,
        "input_audio_tokens": input_audio_tokens,
        "output_audio_tokens": output_audio_tokens,
    }
    if provider is None and model is None and isinstance(name, str) and name:
        provider = name[:PROVIDER_MAX_LENGTH]
    queue_call(
        FinishedCall(
            current_frame(),
            where="track",
            provider=provider,
            model=model,
            operation=operation,
            started=max(0.0, now - duration / 1000) if duration else now,
            duration_ms=duration,
            usage=Usage(
                **{field: tokens[field] for field in TOKEN_FIELDS}, service_tier=service_tier
            ),
            units=units,
            status=status,
            error=error,
            name=name,
            metadata=metadata,
            cost_usd=cost_usd,
            customer_id=customer_id,
        )
    )
