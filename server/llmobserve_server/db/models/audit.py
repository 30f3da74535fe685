"""The audit log: who did what to an account, when, and from where."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from llmobserve_server.db.base import Base
from llmobserve_server.db.types import JSONType, UTCDateTime


class AuditEvent(Base):
    """One security-relevant action in an account (sign-ins, keys, team, plan).

    The actor's email is copied into the row so that the log still reads correctly after the user
    changes their email or is deleted (`actor_user_id` then becomes NULL)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # The page's query: one account, newest first, keyset on (created_at, id).
        Index("ix_audit_events_account_created", "account_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))  # user | stripe | cli
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str | None] = mapped_column(String(320))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    target: Mapped[str | None] = mapped_column(String(320))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
