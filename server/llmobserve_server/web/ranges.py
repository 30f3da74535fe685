"""The date range a dashboard page shows, from its query string: a preset or custom dates.

    ?range=24h | 7d | 30d                 the last 24 hours (hourly) or days, today included (daily)
    ?range=custom&from=2026-11-01&to=2026-11-25    whole UTC days, both inclusive
    ?from=…&to=…                         custom too (what the CSV export links use)

`parse_range` raises `RangeError` with a message for people; `range_from_query` falls back to
the default range and returns the message, which a page shows above the default range's data
(a 200, like a form answered with its errors; the CSV export answers 400).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from llmobserve_server.analytics.dimensions import Bucket, Window

Preset = Literal["24h", "7d", "30d", "custom"]
PRESETS: dict[str, str] = {"24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days"}
DEFAULT_PRESET: Preset = "7d"
MAX_DAYS = 366
_DAYS = {"7d": 7, "30d": 30}


class RangeError(ValueError):
    """A range that cannot be shown; `str(error)` says why, for the person who chose it."""


@dataclass(frozen=True)
class DateRange:
    preset: Preset
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC
    bucket: Bucket

    def window(self, account_id: uuid.UUID) -> Window:
        """The range as the analytics queries take it."""
        return Window(account_id=account_id, start=self.start, end=self.end)

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def label(self) -> str:
        if self.preset != "custom":
            return PRESETS[self.preset]
        first, last = self.first_day, self.last_day
        if first == last:
            return f"{first:%b} {first.day}, {first.year}"
        head = f"{first:%b} {first.day}" + ("" if first.year == last.year else f", {first.year}")
        return f"{head} – {last:%b} {last.day}, {last.year}"

    @property
    def length_label(self) -> str:
        """How long the range is, for "vs the previous 7 days"."""
        hours = int((self.end - self.start).total_seconds()) // 3600
        if hours < 48:
            return f"{hours} hours"
        return f"{hours // 24} days"

    @property
    def query(self) -> dict[str, str]:
        """The query parameters that choose this range again (for links and forms)."""
        if self.preset != "custom":
            return {"range": self.preset}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


def _day(value: str, name: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise RangeError(f"The {name} date “{value}” is not a date: use YYYY-MM-DD.") from None
    if not 1970 <= day.year <= 9998:  # keeps the previous period and the day after representable
        raise RangeError(f"The {name} date “{value}” is out of range: pick a year from 1970.")
    return day


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def parse_range(query: Mapping[str, str], *, now: datetime | None = None) -> DateRange:
    """The range chosen by `range`, `from` and `to` (see the module docstring)."""
    now = now or datetime.now(timezone.utc)
    today = now.date()
    preset = query.get("range") or ("custom" if query.get("from") or query.get("to") else None)
    preset = preset or DEFAULT_PRESET
    if preset == "24h":
        end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return DateRange("24h", end - timedelta(hours=24), end, "hour")
    if preset in _DAYS:
        days: Preset = "7d" if preset == "7d" else "30d"
        end = _midnight(today + timedelta(days=1))
        return DateRange(days, end - timedelta(days=_DAYS[days]), end, "day")
    if preset != "custom":
        choices = ", ".join(PRESETS)
        raise RangeError(f"Unknown range “{preset}”: choose {choices} or pick dates.")
    last = _day(query["to"], "end") if query.get("to") else today
    first = _day(query["from"], "start") if query.get("from") else last - timedelta(days=6)
    if first > last:
        raise RangeError("The start date is after the end date: swap them.")
    if (last - first).days >= MAX_DAYS:
        raise RangeError(f"Pick at most {MAX_DAYS} days at a time.")
    bucket: Bucket = "hour" if first == last else "day"
    return DateRange("custom", _midnight(first), _midnight(last + timedelta(days=1)), bucket)


def range_from_query(
    query: Mapping[str, str], *, now: datetime | None = None
) -> tuple[DateRange, str | None]:
    """The chosen range, or the default one and why the chosen one could not be used."""
    try:
        return parse_range(query, now=now), None
    except RangeError as error:
        return parse_range({}, now=now), str(error)
