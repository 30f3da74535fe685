"""Allow the `self_hosted` tier, and take the SDK's span markers out of the stored rollups.

1. `accounts.subscription_tier` may be `self_hosted` (billing/plans.py: what a server without
   Stripe gives new accounts). Existing accounts keep their tier.
2. A `run`, `section` or `agent` marker with no provider, model, tokens, units or cost is
   structure, not usage (`billing.quota.is_counted`): ingestion no longer adds it to
   `usage_hourly`, `usage_daily` or a run's `events`. The markers stored before are subtracted
   from those sums here (they carry nothing else: no cost, no tokens), and rollup rows left
   with no events are deleted, so the dashboard no longer shows an "Unknown provider $0.00"
   row made of markers.

On SQLite the CHECK constraint is rewritten in the schema text (SQLite's documented procedure for
changes that do not touch the stored rows): copying the table, as a batch migration does, would
cascade-delete every row that references an account when the old table is dropped.

The downgrade restores the old CHECK (refusing while an account is `self_hosted`) and leaves the
corrected counts as they are: they are what ingestion writes from now on, and the older code
reads them unchanged.

Revision ID: 012
Revises: 011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "012"
down_revision = "011"
branch_labels = None
depends_on = None

_OLD_CHECK = "subscription_tier IN ('free', 'pro', 'enterprise')"
_NEW_CHECK = "subscription_tier IN ('free', 'pro', 'enterprise', 'self_hosted')"

_MARKER = (
    "operation IN ('run', 'section', 'agent') AND COALESCE(provider, '') = '' "
    "AND COALESCE(model, '') = '' AND input_tokens = 0 AND cached_input_tokens = 0 "
    "AND cache_write_input_tokens = 0 AND output_tokens = 0 AND reasoning_tokens = 0 "
    "AND cost_usd = 0 AND (units IS NULL OR CAST(units AS TEXT) IN ('{}', 'null'))"
)
# usage_daily's slices and the marker column each takes its value from ('' for all events).
_SLICES = {"": "''", "customer": "customer", "section": "section", "agent": "agent"}


def upgrade() -> None:
    _set_tier_check(_NEW_CHECK)
    _uncount_markers()


def downgrade() -> None:
    remaining = op.get_bind().scalar(
        text("SELECT count(*) FROM accounts WHERE subscription_tier = 'self_hosted'")
    )
    if remaining:
        raise RuntimeError(
            f"{remaining} accounts are on the self_hosted tier: move them to another tier "
            "(llmobserve-server set-tier) before downgrading."
        )
    _set_tier_check(_OLD_CHECK)


def _set_tier_check(check: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_accounts_subscription_tier"), "accounts", type_="check")
        op.create_check_constraint(op.f("ck_accounts_subscription_tier"), "accounts", check)
        return
    old, new = (_OLD_CHECK, _NEW_CHECK) if check == _NEW_CHECK else (_NEW_CHECK, _OLD_CHECK)
    version = bind.scalar(text("PRAGMA schema_version"))
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'accounts'"
        ),
        {"old": old, "new": new},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _uncount_markers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        hour = "date_trunc('hour', timestamp, 'UTC')"
        day = "date_trunc('day', timestamp, 'UTC')"
    else:  # datetimes as SQLAlchemy stores them in SQLite: "YYYY-MM-DD HH:MM:SS.ffffff", UTC
        hour = "substr(timestamp, 1, 13) || ':00:00.000000'"
        day = "substr(timestamp, 1, 10) || ' 00:00:00.000000'"
    markers = (
        "SELECT account_id, BUCKET AS bucket, COALESCE(customer_id, '') AS customer, "
        "COALESCE(section, '') AS section, COALESCE(agent, '') AS agent, count(*) AS n, "
        "sum(CASE WHEN cost_source = 'unknown_model' THEN 1 ELSE 0 END) AS unpriced "
        f"FROM trace_events WHERE {_MARKER} "
        "GROUP BY account_id, BUCKET, COALESCE(customer_id, ''), COALESCE(section, ''), "
        "COALESCE(agent, '')"
    )
    op.execute(
        "UPDATE usage_hourly SET events = events - m.n, "
        "unpriced_events = unpriced_events - m.unpriced "
        f"FROM ({markers.replace('BUCKET', hour)}) AS m "
        "WHERE usage_hourly.account_id = m.account_id AND usage_hourly.hour = m.bucket "
        "AND usage_hourly.provider = '' AND usage_hourly.model = '' "
        "AND usage_hourly.customer_id = m.customer AND usage_hourly.section = m.section "
        "AND usage_hourly.agent = m.agent"
    )
    for dimension, column in _SLICES.items():
        by_value = f", {column}" if dimension else ""  # PostgreSQL refuses GROUP BY ''
        op.execute(
            "UPDATE usage_daily SET events = events - m.n, "
            "unpriced_events = unpriced_events - m.unpriced "
            f"FROM (SELECT account_id, bucket, {column} AS value, sum(n) AS n, "
            f"sum(unpriced) AS unpriced FROM ({markers.replace('BUCKET', day)}) AS per_key "
            f"GROUP BY account_id, bucket{by_value}) AS m "
            "WHERE usage_daily.account_id = m.account_id AND usage_daily.day = m.bucket "
            f"AND usage_daily.dimension = '{dimension}' AND usage_daily.value = m.value "
            "AND usage_daily.provider = '' AND usage_daily.model = ''"
        )
    op.execute("DELETE FROM usage_hourly WHERE events <= 0")
    op.execute("DELETE FROM usage_daily WHERE events <= 0")
    op.execute(
        "UPDATE runs SET events = events - m.n "
        "FROM (SELECT account_id, run_id, count(*) AS n FROM trace_events "
        f"WHERE {_MARKER} GROUP BY account_id, run_id) AS m "
        "WHERE runs.account_id = m.account_id AND runs.run_id = m.run_id"
    )
