"""Every usage kind the big providers bill (issue 18, item 1): 1-hour cache writes, audio input
and output tokens on events and both rollups, and the service tier (standard, batch, flex,
priority) on events.

The new counts are parts of existing wholes (`cache_write_1h_input_tokens` of
`cache_write_input_tokens`, `input_audio_tokens` of `input_tokens`, `output_audio_tokens` of
`output_tokens`), so the rows stored before are right with 0: nothing else changes. The
downgrade drops the columns (the wholes keep counting those tokens).

Revision ID: 014
Revises: 013_budgets
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "014"
down_revision = "013_budgets"
branch_labels = None
depends_on = None

_TOKEN_COLUMNS = ("cache_write_1h_input_tokens", "input_audio_tokens", "output_audio_tokens")
_TABLES = ("trace_events", "usage_hourly", "usage_daily")


def upgrade() -> None:
    for table in _TABLES:
        for column in _TOKEN_COLUMNS:
            op.add_column(
                table, sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
            )
    op.add_column("trace_events", sa.Column("service_tier", sa.String(16), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 has it): no batch table copy, which with foreign keys on
    # would cascade-delete rows that reference the copied table (see 006).
    op.drop_column("trace_events", "service_tier")
    for table in _TABLES:
        for column in reversed(_TOKEN_COLUMNS):
            op.drop_column(table, column)
