"""Budgets: a spending limit on a slice of an account's usage, the thresholds each period has
crossed, and the alerts those crossings sent."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from llmobserve_server.db.base import Base
from llmobserve_server.db.types import JSONType, Money, UTCDateTime

_ACCOUNT_FK = "accounts.id"
_BUDGET_FK = "budgets.id"


class Budget(Base):
    """A limit on the spend of a scope (any of customer, agent, section, provider, model; none
    set is the whole account) per UTC day, ISO week or calendar month."""

    __tablename__ = "budgets"
    __table_args__ = (Index("ix_budgets_account_created", "account_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    agent: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(8))  # day | week | month
    amount_usd: Mapped[Decimal] = mapped_column(Money)
    alert_at: Mapped[list[str]] = mapped_column(JSONType)  # fractions as decimal strings
    enforce: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_emails: Mapped[list[str]] = mapped_column(JSONType)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    # Moves when the amount, scope or period changes: crossings of an older revision no longer
    # count (a raised amount lifts a block; its thresholds are alerted again when reached).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BudgetCrossing(Base):
    """A threshold a budget's period reached. The primary key is the claim that makes each
    alert go once, whichever replica's batch saw the crossing first."""

    __tablename__ = "budget_crossings"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"))
    budget_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_BUDGET_FK, ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    threshold: Mapped[str] = mapped_column(String(12), primary_key=True)  # "0.8", "1"
    spent_usd: Mapped[Decimal] = mapped_column(Money(precision=28))
    crossed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BudgetDelivery(Base):
    """One alert to one target (an email address, a webhook), with every attempt in `attempts`
    (`[{"at", "ok", "status", "error"}]`): the delivery log shown on the budget's page."""

    __tablename__ = "budget_deliveries"
    __table_args__ = (
        Index("ix_budget_deliveries_budget_created", "budget_id", "created_at"),
        Index("ix_budget_deliveries_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"))
    budget_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_BUDGET_FK, ondelete="CASCADE"))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    threshold: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8))  # email | webhook | slack
    target: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(10))  # pending | delivered | failed
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
