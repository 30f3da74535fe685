"""Add usage_daily (per-day, one-dimension-at-a-time sums) and fill it from usage_hourly.

Revision ID: 008
Revises: 007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Plain column types, frozen here so that later changes to the models cannot rewrite history.
TIMESTAMP = sa.DateTime(timezone=True)
MONEY_TOTAL = sa.Numeric(28, 10).with_variant(sa.BigInteger(), "sqlite")

revision = "008"
down_revision = "007"
branch_labels = None
depends_on = None

_SUMS = (
    "events",
    "unpriced_events",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost_usd",
)
# The slices and the usage_hourly column each takes its value from ('' for the all-events one).
_SLICES = {"": "''", "customer": "customer_id", "section": "section", "agent": "agent"}


def upgrade() -> None:
    op.create_table(
        "usage_daily",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("day", TIMESTAMP, nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS[:-1]),
        sa.Column("cost_usd", MONEY_TOTAL, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_usage_daily_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "day",
            "dimension",
            "value",
            "provider",
            "model",
            name=op.f("pk_usage_daily"),
        ),
    )
    _fill_from_hourly()


def _fill_from_hourly() -> None:
    """What ingestion would have written, from the hourly rollup: days are UTC days, and on
    SQLite a day is stored as SQLAlchemy stores datetimes there ("YYYY-MM-DD HH:MM:SS.ffffff")."""
    if op.get_bind().dialect.name == "postgresql":
        day = "date_trunc('day', hour, 'UTC')"
    else:
        day = "substr(hour, 1, 10) || ' 00:00:00.000000'"
    sums = ", ".join(f"sum({name})" for name in _SUMS)
    for dimension, column in _SLICES.items():
        by_value = f"{column}, " if dimension else ""  # PostgreSQL refuses GROUP BY ''
        op.execute(
            f"INSERT INTO usage_daily (account_id, day, dimension, value, provider, model, "
            f"{', '.join(_SUMS)}) "
            f"SELECT account_id, {day}, '{dimension}', {column}, provider, model, {sums} "
            f"FROM usage_hourly GROUP BY account_id, {day}, {by_value}provider, model"
        )


def downgrade() -> None:
    op.drop_table("usage_daily")
