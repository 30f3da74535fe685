"""Jinja filters: money as money, counts with separators, dates and "2 hours ago".

{{ report.total_cost_usd | usd }}         $1,234.56   $0.000435   $0.00   (money.display_usd)
{{ report.total_events | number }}         12,345
{{ key.created_at | date }}                Nov 25, 2026
{{ key.last_used_at | ago }}               2 hours ago   (or "never" for None)
"""

from __future__ import annotations

from datetime import datetime, timezone

from llmobserve_server.money import display_usd

_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600))


def number(value: int | None) -> str:
    return f"{value or 0:,}"


def date(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value:%b} {value.day}, {value.year}"


def datetime_utc(value: datetime | None) -> str:
    if value is None:
        return "—"
    value = value.astimezone(timezone.utc)
    return f"{date(value)}, {value:%H:%M} UTC"


def ago(value: datetime | None, *, now: datetime | None = None, never: str = "never") -> str:
    """ "just now", "5 minutes ago", "2 hours ago", "3 days ago", "in 4 hours"; `never` for None."""
    if value is None:
        return never
    seconds = int(((now or datetime.now(timezone.utc)) - value).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    amount, unit = seconds // 60, "minute"
    for name, length in _UNITS:
        if seconds >= length:
            amount, unit = seconds // length, name
            break
    text = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"in {text}" if future else f"{text} ago"


FILTERS = {
    "usd": display_usd,
    "number": number,
    "date": date,
    "datetime": datetime_utc,
    "ago": ago,
}
