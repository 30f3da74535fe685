"""Reading an account's audit log: newest first, filtered by action and dates, by keyset pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.cursor import (
    cursor_instant,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from llmobserve_server.db.models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    start: date | None = None  # inclusive, UTC
    end: date | None = None  # inclusive, UTC


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str | None  # None on the last page


def list_events(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    filters: AuditFilter = AuditFilter(),
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the account's log. `after` is the `next_cursor` of the previous page; a cursor
    this function did not hand out raises Malformed `invalid_cursor`."""
    query = select(AuditEvent).where(AuditEvent.account_id == account_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.start:
        query = query.where(AuditEvent.created_at >= _midnight(filters.start))
    if filters.end and filters.end < date.max:
        query = query.where(AuditEvent.created_at < _midnight(filters.end + timedelta(days=1)))
    if after:
        at, event_id = _position(after)
        query = query.where(
            or_(
                AuditEvent.created_at < at,
                and_(AuditEvent.created_at == at, AuditEvent.id < event_id),
            )
        )
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit + 1)
    rows = list(db.scalars(query))
    events = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = events[-1]
        next_cursor = encode_cursor([last.created_at.isoformat(), str(last.id)])
    return AuditPage(events=events, next_cursor=next_cursor)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    position = decode_cursor(cursor)
    try:
        raw_at, raw_id = position
        event_id = uuid.UUID(str(raw_id))
    except (ValueError, TypeError) as exc:
        raise invalid_cursor() from exc
    return cursor_instant(raw_at), event_id
