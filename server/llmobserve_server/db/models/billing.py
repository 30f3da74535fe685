"""What plans need besides the account's tier: the month's event count (the quota reads one
row, never raw events), the usage emails already sent, and the Stripe webhooks already applied."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from llmobserve_server.db.base import Base
from llmobserve_server.db.types import UTCDateTime


class UsageMonthly(Base):
    """Events accepted per account per calendar month (UTC), kept at ingest in the batch's
    transaction; duplicates are not counted."""

    __tablename__ = "usage_monthly"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # 1st, 00:00 UTC
    events: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageAlertSent(Base):
    """A usage email (80 % or 100 % of the quota) sent for an account's month: once each."""

    __tablename__ = "usage_alerts_sent"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    threshold_percent: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StripeEvent(Base):
    """A Stripe webhook event already applied (Stripe retries deliveries: apply each once)."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # evt_…
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
