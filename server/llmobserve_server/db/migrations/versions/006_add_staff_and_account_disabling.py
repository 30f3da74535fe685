"""Add users.is_staff (the operator console's gate) and accounts.disabled_at / disabled_reason.

Revision ID: 006
Revises: 005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Plain column types, frozen here so that later changes to the models cannot rewrite history.
TIMESTAMP = sa.DateTime(timezone=True)

revision = "006"
down_revision = "005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("is_staff", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("accounts", sa.Column("disabled_at", TIMESTAMP, nullable=True))
    op.add_column("accounts", sa.Column("disabled_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35 has it): no batch table copy, which with foreign keys on
    # would cascade-delete memberships when the copied `users` table is dropped.
    op.drop_column("accounts", "disabled_reason")
    op.drop_column("accounts", "disabled_at")
    op.drop_column("users", "is_staff")
