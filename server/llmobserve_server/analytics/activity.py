"""Has an account sent anything yet? What onboarding's connection test waits for."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import TraceEvent


def first_event(db: DbSession, *, account_id: uuid.UUID) -> TraceEvent | None:
    """The account's earliest event that names a model (a call), else its earliest event of any
    kind (a run's own span event, a custom cost), else None."""
    earliest = select(TraceEvent).where(TraceEvent.account_id == account_id)
    order = (TraceEvent.timestamp, TraceEvent.id)
    with_model = db.scalar(earliest.where(TraceEvent.model.is_not(None)).order_by(*order).limit(1))
    return with_model or db.scalar(earliest.order_by(*order).limit(1))
