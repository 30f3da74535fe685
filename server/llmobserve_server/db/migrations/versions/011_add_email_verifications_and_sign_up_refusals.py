"""Add email verification links, the per-IP count of sign-up "email taken" answers, and an index
on api_keys.created_by (a departing member's keys are revoked by it).

`api_keys.created_by` and `users.email_verified_at` exist since 001. Existing keys keep their
creator (NULL when none was recorded); existing users are not marked verified: an address was
never proven, and an unproven address must not open invitations (docs/admin.md says why).

Revision ID: 011
Revises: 010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Plain column types, frozen here so that later changes to the models cannot rewrite history.
TIMESTAMP = sa.DateTime(timezone=True)

revision = "011"
down_revision = "010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_verifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_verifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_verifications")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_verifications_token_hash")),
    )
    op.create_index(
        "ix_email_verifications_user_created",
        "email_verifications",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "sign_up_refusals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_refusals")),
    )
    op.create_index(
        "ix_sign_up_refusals_ip_at", "sign_up_refusals", ["ip", "created_at"], unique=False
    )
    op.create_index("ix_api_keys_created_by", "api_keys", ["created_by"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_keys_created_by", table_name="api_keys")
    op.drop_index("ix_sign_up_refusals_ip_at", table_name="sign_up_refusals")
    op.drop_table("sign_up_refusals")
    op.drop_index("ix_email_verifications_user_created", table_name="email_verifications")
    op.drop_table("email_verifications")
