"""Add budgets, the thresholds their periods crossed, their alert deliveries, and
accounts.budgets_version (moved by the database on every change to an account's budgets).

Ingestion evaluates budgets only for accounts that have some, from a per-process cache it
reloads when `budgets_version` (read with the API key) has moved (budgets/cache.py), like the
price overrides of migration 010. The three tables are account-scoped: Row Level Security on
PostgreSQL as in migration 009.

Revision ID: 013_budgets
Revises: 012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "013_budgets"
down_revision = "012"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
MONEY = sa.Numeric(20, 10).with_variant(sa.BigInteger(), "sqlite")
MONEY_TOTAL = sa.Numeric(28, 10).with_variant(sa.BigInteger(), "sqlite")
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")

# Account-scoped tables this migration adds (tests/test_row_level_security.py reads this too).
ACCOUNT_SCOPED_TABLES = ("budgets", "budget_crossings", "budget_deliveries")
_ACCOUNT = "NULLIF(current_setting('llmobserve.account_id', true), '')::uuid"
_BUMP = "UPDATE accounts SET budgets_version = budgets_version + 1 WHERE id = {row}.account_id"


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _budget_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["budget_id"],
        ["budgets.id"],
        name=op.f(f"fk_{table}_budget_id_budgets"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("budgets_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(200), nullable=True),
        sa.Column("agent", sa.String(200), nullable=True),
        sa.Column("section", sa.String(200), nullable=True),
        sa.Column("provider", sa.String(64), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("amount_usd", MONEY, nullable=False),
        sa.Column("alert_at", JSON, nullable=False),
        sa.Column("enforce", sa.Boolean(), nullable=False),
        sa.Column("notify_emails", JSON, nullable=False),
        sa.Column("webhook_url", sa.String(2000), nullable=True),
        sa.Column("webhook_secret", sa.String(100), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _account_fk("budgets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
    )
    op.create_index("ix_budgets_account_created", "budgets", ["account_id", "created_at"])
    op.create_table(
        "budget_crossings",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("period_start", TIMESTAMP, nullable=False),
        sa.Column("threshold", sa.String(12), nullable=False),
        sa.Column("spent_usd", MONEY_TOTAL, nullable=False),
        sa.Column("crossed_at", TIMESTAMP, nullable=False),
        _account_fk("budget_crossings"),
        _budget_fk("budget_crossings"),
        sa.PrimaryKeyConstraint(
            "budget_id", "revision", "period_start", "threshold", name=op.f("pk_budget_crossings")
        ),
    )
    op.create_table(
        "budget_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", TIMESTAMP, nullable=False),
        sa.Column("threshold", sa.String(12), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", JSON, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _account_fk("budget_deliveries"),
        _budget_fk("budget_deliveries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_deliveries")),
    )
    op.create_index(
        "ix_budget_deliveries_budget_created", "budget_deliveries", ["budget_id", "created_at"]
    )
    op.create_index(
        "ix_budget_deliveries_state_next", "budget_deliveries", ["state", "next_attempt_at"]
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        for event, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            op.execute(
                f"CREATE TRIGGER budgets_version_{event} AFTER {event.upper()} ON budgets "
                f"BEGIN {_BUMP.format(row=row)}; END"
            )


def _postgresql_upgrade() -> None:
    op.execute(
        "CREATE FUNCTION budgets_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN {_BUMP.format(row='OLD')}; "
        f"ELSE {_BUMP.format(row='NEW')}; END IF; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER budgets_version AFTER INSERT OR UPDATE OR DELETE ON budgets "
        "FOR EACH ROW EXECUTE FUNCTION budgets_bump_version()"
    )
    for table in ACCOUNT_SCOPED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY account_isolation ON {table} "
            f"USING (account_id = {_ACCOUNT}) WITH CHECK (account_id = {_ACCOUNT})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER budgets_version ON budgets")
        op.execute("DROP FUNCTION budgets_bump_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER budgets_version_{event}")
    op.drop_table("budget_deliveries")  # policies go with their tables
    op.drop_table("budget_crossings")
    op.drop_table("budgets")
    op.drop_column("accounts", "budgets_version")  # not a batch copy: see 006's downgrade
