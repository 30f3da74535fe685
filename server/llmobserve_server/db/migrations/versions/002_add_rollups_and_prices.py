"""Add rollups (runs, usage_hourly), account price overrides and sign-in throttling.

Revision ID: 002
Revises: 001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Plain column types, frozen here so that later changes to the models cannot rewrite history.
TIMESTAMP = sa.DateTime(timezone=True)
MONEY = sa.Numeric(20, 10).with_variant(sa.BigInteger(), "sqlite")  # SQLite: 1e-10 USD units
MONEY_TOTAL = sa.Numeric(28, 10).with_variant(sa.BigInteger(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "002"
down_revision = "001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        "ix_sign_in_failures_email_at", "sign_in_failures", ["email", "created_at"], unique=False
    )
    op.create_index(
        "ix_sign_in_failures_ip_at", "sign_in_failures", ["ip", "created_at"], unique=False
    )
    op.create_table(
        "model_prices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("input_mtok", MONEY, nullable=True),
        sa.Column("cached_input_mtok", MONEY, nullable=True),
        sa.Column("cache_write_mtok", MONEY, nullable=True),
        sa.Column("output_mtok", MONEY, nullable=True),
        sa.Column("units", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_model_prices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_prices")),
        sa.UniqueConstraint(
            "account_id", "provider", "model", name=op.f("uq_model_prices_account_id")
        ),
    )
    op.create_table(
        "runs",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("name_from_root", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", MONEY_TOTAL, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_runs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "run_id", name=op.f("pk_runs")),
    )
    op.create_index("ix_runs_account_started", "runs", ["account_id", "started_at"], unique=False)
    op.create_table(
        "usage_hourly",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("hour", TIMESTAMP, nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("unpriced_events", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cached_input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost_usd", MONEY_TOTAL, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_usage_hourly_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "hour",
            "provider",
            "model",
            "customer_id",
            "section",
            "agent",
            name=op.f("pk_usage_hourly"),
        ),
    )


def downgrade() -> None:
    op.drop_table("usage_hourly")
    op.drop_index("ix_runs_account_started", table_name="runs")
    op.drop_table("runs")
    op.drop_table("model_prices")
    op.drop_index("ix_sign_in_failures_ip_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_email_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
