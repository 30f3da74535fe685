"""Add accounts.prices_version, bumped by the database on every change to model_prices.

Ingestion keeps each account's price overrides in memory and reloads them only when this
number, read with the API key, has moved (ingest/overrides.py). A trigger keeps it, so every
write counts: the API, the dashboard, an operator's SQL.

Revision ID: 010
Revises: 009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "010"
down_revision = "009"
branch_labels = None
depends_on = None

_BUMP = "UPDATE accounts SET prices_version = prices_version + 1 WHERE id = {row}.account_id"


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("prices_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION model_prices_bump_version() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN {_BUMP.format(row='OLD')}; "
            f"ELSE {_BUMP.format(row='NEW')}; END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER model_prices_version AFTER INSERT OR UPDATE OR DELETE ON model_prices "
            "FOR EACH ROW EXECUTE FUNCTION model_prices_bump_version()"
        )
        return
    for event, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        op.execute(
            f"CREATE TRIGGER model_prices_version_{event} AFTER {event.upper()} ON model_prices "
            f"BEGIN {_BUMP.format(row=row)}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER model_prices_version ON model_prices")
        op.execute("DROP FUNCTION model_prices_bump_version()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER model_prices_version_{event}")
    op.drop_column("accounts", "prices_version")  # not a batch copy: see 006's downgrade
