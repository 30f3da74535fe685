"""The v1 event wire format. Validation (ingest/validation.py) reports each bad event by its index,
so that one bad event loses no others.

`input_tokens` counts ALL input tokens (the cached, cache-write and audio parts included) and
`output_tokens` all output tokens (reasoning and audio included); `cache_write_1h_input_tokens`
is the part of `cache_write_input_tokens` written with a 1-hour TTL. The parts can never exceed
their whole, so no token is priced twice.

`service_tier` is how the provider processed the call (`batch` for batch APIs, `flex`,
`priority`; `standard` or absent for everything else): it selects discounted or premium prices.
Tool fees travel in `units` (`web_search_requests`, `grounding_requests`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, Strict

MAX_EVENTS_PER_BATCH = 1000
MAX_DECODED_BODY_BYTES = 5 * 1024 * 1024
MAX_METADATA_BYTES = 16 * 1024
MAX_ERROR_CHARS = 4000
MAX_FUTURE_SKEW = timedelta(hours=24)
MAX_UNIT_COUNT = 10**9
MAX_EVENT_COST_USD = 100_000
"""The most one event may cost, whether the client sends `cost_usd` or the server prices its
tokens and units: far above any real call, and low enough that a full batch's sum fits every
cost column (SQLite stores money as a 64-bit count of 1e-10 USD: about $922 million)."""


def _rfc3339_string(value: Any) -> Any:
    """Timestamps are RFC 3339 strings; a bare number (epoch seconds? milliseconds?) is refused
    rather than guessed."""
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 string such as 2026-11-25T10:00:00Z")
    return value


# Counts and durations are JSON numbers, as the published schema says: strict types refuse
# "1000", true and 1.5 rather than convert them. The bounds are far above any real call and low
# enough that rollup totals cannot overflow their columns.
TokenCount = Annotated[int, Strict(), Field(ge=0, le=10**9)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
ServiceTier = Literal["standard", "batch", "flex", "priority"]
SERVICE_TIERS: tuple[ServiceTier, ...] = ("standard", "batch", "flex", "priority")


# Only declarative types here, checked by pydantic-core alone: Python validators cost more than
# the rest of validation together. What types cannot say (a timestamp at most 24 h ahead, parts
# within wholes, storable text and metadata) is checked by ingest/validation.py, which every
# caller goes through.
class EventIn(BaseModel):
    # allow_inf_nan=False: JSON numbers too large for a float (1e400) become Infinity, which
    # PostgreSQL cannot store in jsonb; the float fields refuse them.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    id: uuid.UUID
    timestamp: Annotated[AwareDatetime, BeforeValidator(_rfc3339_string)]
    duration_ms: Annotated[float, Strict(), Field(ge=0, le=7 * 24 * 3600 * 1000)] | None = None
    run_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    span_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    parent_span_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    name: ShortText | None = None
    provider: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    model: ShortText | None = None
    operation: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    input_tokens: TokenCount = 0
    cached_input_tokens: TokenCount = 0
    cache_write_input_tokens: TokenCount = 0
    output_tokens: TokenCount = 0
    reasoning_tokens: TokenCount = 0
    cache_write_1h_input_tokens: TokenCount = 0
    input_audio_tokens: TokenCount = 0
    output_audio_tokens: TokenCount = 0
    service_tier: ServiceTier | None = None
    units: (
        dict[
            Annotated[str, Field(max_length=64)],
            Annotated[float, Strict(), Field(ge=0, le=MAX_UNIT_COUNT)],
        ]
        | None
    ) = Field(default=None, max_length=32)
    cost_usd: Annotated[Decimal, Field(ge=0, le=MAX_EVENT_COST_USD, max_digits=30)] | None = None
    customer_id: ShortText | None = None
    section: (
        Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^/]+(/[^/]+)*$")] | None
    ) = None
    agent: ShortText | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    metadata: dict[str, Any] | None = None


class BatchIn(BaseModel):
    """The request body, for the OpenAPI document. The endpoint validates events one by one."""

    events: list[EventIn] = Field(max_length=MAX_EVENTS_PER_BATCH)


class RejectedEvent(BaseModel):
    index: int
    error: dict[str, str]


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]
