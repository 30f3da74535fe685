"""The `from` / `to` query parameters shared by the read endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from llmobserve_server.errors import ApiError

DEFAULT_RANGE = timedelta(days=30)


@dataclass(frozen=True)
class TimeRange:
    start: datetime  # inclusive
    end: datetime  # exclusive


def parse_instant(value: str, *, name: str, is_end: bool) -> datetime:
    """An RFC 3339 time or a date. A date as `to` means the end of that day (inclusive date).
    Times that cannot be represented in UTC (the end of 9999-12-31, say) are refused too."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            return start + timedelta(days=1) if is_end else start
        parsed = datetime.fromisoformat(value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc
        )
    except (ValueError, OverflowError) as exc:
        raise ApiError(
            422,
            "invalid_request",
            f"`{name}` must be a date (2026-11-25) or an RFC 3339 time (2026-11-25T10:00:00Z) "
            "before the year 9999.",
        ) from exc


def time_range(start: str | None, end: str | None) -> TimeRange:
    end_at = parse_instant(end, name="to", is_end=True) if end else datetime.now(timezone.utc)
    start_at = parse_instant(start, name="from", is_end=False) if start else end_at - DEFAULT_RANGE
    if start_at >= end_at:
        raise ApiError(422, "invalid_request", "`from` must be before `to`.")
    return TimeRange(start_at, end_at)
