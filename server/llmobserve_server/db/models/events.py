"""Costed events, and the rollups the dashboard and quota read instead of raw events."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from llmobserve_server.db.base import Base
from llmobserve_server.db.types import JSONType, Money, UTCDateTime

_ACCOUNT_FK = "accounts.id"


class TraceEvent(Base):
    """One costed call (LLM, embedding, vector query, custom), as received and priced at ingest."""

    __tablename__ = "trace_events"
    __table_args__ = (
        Index("ix_trace_events_account_timestamp", "account_id", "timestamp"),
        Index("ix_trace_events_account_run", "account_id", "run_id"),
        # The runs list's agent and section filters (analytics/runs.py) probe these by run.
        Index("ix_trace_events_account_agent_run", "account_id", "agent", "run_id"),
        Index("ix_trace_events_account_section_run", "account_id", "section", "run_id"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"), primary_key=True
    )
    # The client's event id is the idempotency key: unique per account.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(String(128))
    span_id: Mapped[str] = mapped_column(String(64))
    parent_span_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(200))
    operation: Mapped[str | None] = mapped_column(String(32))
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cached_input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_write_input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    reasoning_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cache_write_1h_input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    input_audio_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_audio_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    units: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # standard / batch / flex / priority as the client reported it; None when it said nothing.
    service_tier: Mapped[str | None] = mapped_column(String(16))
    cost_usd: Mapped[Decimal] = mapped_column(Money)
    cost_source: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(String(200))
    agent: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="ok")
    error: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)


class Run(Base):
    """Per-run totals, kept up to date at ingest so that listing runs never scans raw events."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_account_started", "account_id", "started_at"),
        # The runs list's customer and status filters, newest first (analytics/runs.py).
        Index("ix_runs_account_customer_started", "account_id", "customer_id", "started_at"),
        Index(
            "ix_runs_account_failed_started",
            "account_id",
            "started_at",
            postgresql_where=text("errors > 0"),
            sqlite_where=text("errors > 0"),
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    # Whether `name` came from the run's root span, which outranks names of other events.
    name_from_root: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    events: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    cost_usd: Mapped[Decimal] = mapped_column(Money(precision=28))


class RollupSums:
    """The sums every usage rollup keeps for its key (a declarative mixin)."""

    events: Mapped[int] = mapped_column(BigInteger)
    unpriced_events: Mapped[int] = mapped_column(BigInteger)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    cached_input_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_input_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    reasoning_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_1h_input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    input_audio_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_audio_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money(precision=28))


class UsageHourly(RollupSums, Base):
    """Events, tokens and cost per account, hour and dimension ('' where a dimension is unset)."""

    __tablename__ = "usage_hourly"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    section: Mapped[str] = mapped_column(String(200), primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), primary_key=True)


class UsageDaily(RollupSums, Base):
    """Per-day sums in slices: one dimension at a time, with provider and model, never the
    cross product `usage_hourly` keeps.

    `dimension` names the slice: "" holds every event once, by provider and model; "customer",
    "section" and "agent" hold every event once more, by that dimension's `value` ('' where
    unset). A month of the slices is a few thousand rows where `usage_hourly` holds one per
    occurring (hour, provider, model, customer, section, agent): the dashboard reads these for
    ranges of whole days (analytics/rollups.py)."""

    __tablename__ = "usage_daily"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # UTC midnight
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)


class ModelPrice(Base):
    """An account's own price for a model, used before the public catalogue (USD per 1M tokens)."""

    __tablename__ = "model_prices"
    __table_args__ = (UniqueConstraint("account_id", "provider", "model"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_ACCOUNT_FK, ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    input_mtok: Mapped[Decimal | None] = mapped_column(Money)
    cached_input_mtok: Mapped[Decimal | None] = mapped_column(Money)
    cache_write_mtok: Mapped[Decimal | None] = mapped_column(Money)
    output_mtok: Mapped[Decimal | None] = mapped_column(Money)
    units: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
