"""Unusual spend: a (model, customer) day the daily job found far above its usual
(anomalies/detection.py), and whether the account's owners were told."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from llmobserve_server.db.base import Base
from llmobserve_server.db.types import Money, UTCDateTime


class SpendAnomaly(Base):
    """One unusual day of one series; the unique key makes each day recorded (and emailed)
    once, however often and wherever the job runs."""

    __tablename__ = "spend_anomalies"
    __table_args__ = (
        UniqueConstraint("account_id", "day", "model", "customer_id"),
        Index("ix_spend_anomalies_account_day", "account_id", "day"),
        Index("ix_spend_anomalies_notified_at", "notified_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    day: Mapped[datetime] = mapped_column(UTCDateTime)  # UTC midnight
    model: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[str] = mapped_column(String(200))  # '' for events without a customer
    spent_usd: Mapped[Decimal] = mapped_column(Money(precision=28))
    usual_usd: Mapped[Decimal] = mapped_column(Money(precision=28))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
