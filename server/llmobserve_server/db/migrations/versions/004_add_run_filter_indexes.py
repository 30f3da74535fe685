"""Indexes for the runs list's filters: customer, failed runs, agent and section.

Revision ID: 004
Revises: 003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "004"
down_revision = "003"
branch_labels = None
depends_on = None

_FAILED = sa.text("errors > 0")


def upgrade() -> None:
    op.create_index(
        "ix_runs_account_customer_started", "runs", ["account_id", "customer_id", "started_at"]
    )
    op.create_index(
        "ix_runs_account_failed_started",
        "runs",
        ["account_id", "started_at"],
        postgresql_where=_FAILED,
        sqlite_where=_FAILED,
    )
    op.create_index(
        "ix_trace_events_account_agent_run", "trace_events", ["account_id", "agent", "run_id"]
    )
    op.create_index(
        "ix_trace_events_account_section_run", "trace_events", ["account_id", "section", "run_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_trace_events_account_section_run", table_name="trace_events")
    op.drop_index("ix_trace_events_account_agent_run", table_name="trace_events")
    op.drop_index("ix_runs_account_failed_started", table_name="runs")
    op.drop_index("ix_runs_account_customer_started", table_name="runs")
