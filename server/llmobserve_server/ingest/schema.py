"""The v1 event wire format, validated one event at a time so that one bad event loses no others.

`input_tokens` counts ALL input tokens (the cached and cache-write parts included) and
`output_tokens` all output tokens (reasoning included); the parts can never exceed their whole,
so no token is priced twice.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

MAX_EVENTS_PER_BATCH = 1000
MAX_DECODED_BODY_BYTES = 5 * 1024 * 1024
MAX_METADATA_BYTES = 16 * 1024
MAX_ERROR_CHARS = 4000
MAX_FUTURE_SKEW = timedelta(hours=24)
MAY_CONTAIN_NUL = "may_contain_nul"  # validation context key: False when the body has no \u0000


def _json_number(value: Any) -> Any:
    """Counts and durations are JSON numbers, as the published schema says: "1000" or true is
    refused rather than converted."""
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON number")
    return value


def _rfc3339_string(value: Any) -> Any:
    """Timestamps are RFC 3339 strings; a bare number (epoch seconds? milliseconds?) is refused
    rather than guessed."""
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 string such as 2026-11-25T10:00:00Z")
    return value


# Bounds far above any real call, low enough that rollup totals cannot overflow their columns.
TokenCount = Annotated[int, Field(ge=0, le=10**9), BeforeValidator(_json_number)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class EventIn(BaseModel):
    # allow_inf_nan=False: JSON numbers too large for a float (1e400) become Infinity, which
    # PostgreSQL cannot store in jsonb; the float fields refuse them.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    id: uuid.UUID
    timestamp: Annotated[AwareDatetime, BeforeValidator(_rfc3339_string)]
    duration_ms: (
        Annotated[float, Field(ge=0, le=7 * 24 * 3600 * 1000), BeforeValidator(_json_number)] | None
    ) = None
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
    units: (
        dict[
            Annotated[str, Field(max_length=64)],
            Annotated[float, Field(ge=0), BeforeValidator(_json_number)],
        ]
        | None
    ) = Field(default=None, max_length=32)
    cost_usd: Annotated[Decimal, Field(ge=0, le=100_000, max_digits=30)] | None = None
    customer_id: ShortText | None = None
    section: (
        Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^/]+(/[^/]+)*$")] | None
    ) = None
    agent: ShortText | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    metadata: dict[str, Any] | None = None

    @field_validator("timestamp")
    @classmethod
    def _not_in_the_future(cls, value: datetime) -> datetime:
        if value - datetime.now(timezone.utc) > MAX_FUTURE_SKEW:
            raise ValueError("is more than 24 hours in the future; check the client's clock")
        try:
            return value.astimezone(timezone.utc)
        except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise ValueError("is out of range") from exc

    @field_validator("error")
    @classmethod
    def _truncate_error(cls, value: str | None) -> str | None:
        # An over-long error message is cut rather than rejected: the event's cost still counts.
        if value is not None and len(value) > MAX_ERROR_CHARS:
            return value[: MAX_ERROR_CHARS - 1] + "…"
        return value

    @field_validator("metadata")
    @classmethod
    def _metadata_size(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and _encoded_size(value) > MAX_METADATA_BYTES:
            raise ValueError(f"is larger than {MAX_METADATA_BYTES // 1024} KB once encoded")
        return value

    @model_validator(mode="after")
    def _storable(self, info: ValidationInfo) -> EventIn:
        # PostgreSQL stores neither U+0000 in text or jsonb nor NaN or Infinity in jsonb (which
        # JSON numbers like 1e400 become); such events are refused on every database alike.
        # Only metadata can hold floats the field types did not check; strings can hold NUL only
        # when the body had a \u0000 escape, which the caller says through the context.
        may_contain_nul = (info.context or {}).get(MAY_CONTAIN_NUL, True)
        for name in type(self).model_fields if may_contain_nul else ("metadata",):
            problem = _unstorable(getattr(self, name))
            if problem is not None:
                raise ValueError(f"{name} contains {problem}, which cannot be stored")
        return self

    @model_validator(mode="after")
    def _parts_within_wholes(self) -> EventIn:
        if self.cached_input_tokens + self.cache_write_input_tokens > self.input_tokens:
            raise ValueError(
                "cached_input_tokens + cache_write_input_tokens exceed input_tokens; "
                "input_tokens must count ALL input tokens, cached ones included"
            )
        if self.reasoning_tokens > self.output_tokens:
            raise ValueError(
                "reasoning_tokens exceed output_tokens; output_tokens must include reasoning tokens"
            )
        return self


def _encoded_size(value: Any) -> int:
    """Bytes of compact UTF-8 JSON (what the wire carries, not ASCII \\u escapes)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _unstorable(value: Any) -> str | None:
    """What in `value` no database column can hold, or None."""
    if isinstance(value, str):
        return "a NUL character (\\u0000)" if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number out of range (NaN or Infinity)"
    items: list[Any] = []
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    return next((p for p in map(_unstorable, items) if p is not None), None)


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
