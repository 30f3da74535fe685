"""Add spend_anomalies: the (model, customer) days the daily unusual-spend job found far above
their usual (anomalies/detection.py), and when the account's owners were emailed. The table
is account-scoped: Row Level Security on PostgreSQL as in migrations 009 and 013.

Revision ID: 015_forecast
Revises: 014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "015_forecast"
down_revision = "014"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
MONEY_TOTAL = sa.Numeric(28, 10).with_variant(sa.BigInteger(), "sqlite")

# Account-scoped tables this migration adds (tests/test_row_level_security.py reads this too).
ACCOUNT_SCOPED_TABLES = ("spend_anomalies",)
_ACCOUNT = "NULLIF(current_setting('llmobserve.account_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "spend_anomalies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("day", TIMESTAMP, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("spent_usd", MONEY_TOTAL, nullable=False),
        sa.Column("usual_usd", MONEY_TOTAL, nullable=False),
        sa.Column("detected_at", TIMESTAMP, nullable=False),
        sa.Column("notified_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_spend_anomalies_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_anomalies")),
        sa.UniqueConstraint(
            "account_id", "day", "model", "customer_id", name=op.f("uq_spend_anomalies_account_id")
        ),
    )
    op.create_index("ix_spend_anomalies_account_day", "spend_anomalies", ["account_id", "day"])
    op.create_index("ix_spend_anomalies_notified_at", "spend_anomalies", ["notified_at"])
    if op.get_bind().dialect.name == "postgresql":
        for table in ACCOUNT_SCOPED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY account_isolation ON {table} "
                f"USING (account_id = {_ACCOUNT}) WITH CHECK (account_id = {_ACCOUNT})"
            )


def downgrade() -> None:
    op.drop_table("spend_anomalies")  # its index and policy go with it
