"""Retention: delete what is older than each account's plan keeps.

    report = run_retention(engine)          # None if another replica is running it
    print(format_report(report))

For every account whose plan has a finite `retention_days` (Free 7, Pro 90; Enterprise keeps
everything; the self-hosted plan keeps `RETENTION_DAYS`, everything while it is unset), with
`cutoff = now - retention_days`:

- `trace_events`: an event goes when `timestamp < cutoff`.
- `usage_hourly`: an hour bucket goes only when the whole hour is older than the cutoff
  (`hour + 1 h <= cutoff`), so the rollups never lose an hour whose newest events are still kept.
- `usage_daily`: likewise, a day goes only when the whole day is older than the cutoff.
- `runs`: a run goes when it ended before the cutoff (`ended_at < cutoff`), i.e. when every one of
  its events has gone. A run that straddles the cutoff stays, with its totals as ingested.
- `audit_events`: an entry of the audit log goes when `created_at < cutoff`, so the log is kept as
  long as the plan keeps events.
- `usage_monthly` (the quota's and billing's history) is kept: it is one row per account and month.

The tier is read at each run, so a downgrade keeps its data until the next run, which then applies
the new plan's retention.

Rows are deleted in batches of `batch_size` by primary key, each batch a statement in its own
short transaction (with a lock timeout on PostgreSQL), so ingestion never waits long behind the
job. Tables are visited in ingestion's order (events, hourly rollups, runs, daily rollups); a
batch that loses a lock conflict anyway (a deadlock, a lock timeout, SQLite's busy timeout) is
retried, which is safe because every batch is idempotent. A run can be asked to stop between
batches.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import ColumnElement, Connection, Engine, delete, func, select, text, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import InstrumentedAttribute

from llmobserve_server.billing.plans import retention_days_for
from llmobserve_server.db.models import (
    Account,
    AuditEvent,
    Run,
    TraceEvent,
    UsageDaily,
    UsageHourly,
)
from llmobserve_server.jobs.locks import job_lock

logger = logging.getLogger(__name__)

RETENTION_LOCK_ID = 7_404_240_002  # the advisory lock of a retention run (see jobs/locks.py)
DEFAULT_BATCH_SIZE = 5_000
TABLES = ("trace_events", "usage_hourly", "runs", "usage_daily", "audit_events")
_ATTEMPTS = 4


@dataclass
class AccountRetention:
    """What one account lost (or would lose, in a dry run): rows and statements per table."""

    account_id: uuid.UUID
    tier: str
    retention_days: int
    cutoff: datetime
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    batches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class RetentionReport:
    dry_run: bool
    now: datetime
    accounts: list[AccountRetention] = field(default_factory=list)
    seconds: float = 0.0
    completed: bool = True  # False when asked to stop before the last account

    def rows(self, table: str) -> int:
        return sum(account.rows[table] for account in self.accounts)

    def for_account(self, account_id: uuid.UUID) -> AccountRetention | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)


def run_retention(
    engine: Engine,
    *,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
    self_hosted_days: int | None = None,
) -> RetentionReport | None:
    """Delete expired data under the job's lock; None when another run holds it.
    `self_hosted_days` is the operator's `RETENTION_DAYS` for self-hosted accounts."""
    with job_lock(engine, "retention", RETENTION_LOCK_ID) as acquired:
        if not acquired:
            logger.info("retention: another run is in progress, skipping")
            return None
        return apply_retention(
            engine,
            now=now,
            batch_size=batch_size,
            should_stop=should_stop,
            self_hosted_days=self_hosted_days,
        )


def apply_retention(
    engine: Engine,
    *,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    self_hosted_days: int | None = None,
) -> RetentionReport:
    """Delete (or with `dry_run`, count) every account's expired rows. Takes no lock: call
    `run_retention` unless you hold it or only count."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.monotonic()
    report = RetentionReport(dry_run=dry_run, now=now or datetime.now(timezone.utc))
    for account_id, tier in _accounts(engine):
        days = retention_days_for(tier, self_hosted_days=self_hosted_days)
        if days is None:
            continue
        if should_stop():
            report.completed = False
            break
        account = AccountRetention(account_id, tier, days, report.now - timedelta(days=days))
        for table in TABLES:
            if dry_run:
                account.rows[table] = _count_expired(engine, table, account)
            else:
                _delete_expired(engine, table, account, batch_size, should_stop)
        report.accounts.append(account)
    report.seconds = time.monotonic() - started
    return report


def format_report(report: RetentionReport) -> str:
    """A few lines for people: totals, then one line per account that lost anything."""
    verb = "would delete" if report.dry_run else "deleted"
    totals = ", ".join(f"{report.rows(table)} {table}" for table in TABLES)
    lines = [f"Retention {verb} {totals} in {report.seconds:.2f}s."]
    if not report.completed:
        lines.append("Stopped before the last account; the next run carries on.")
    for account in report.accounts:
        if account.total_rows:
            rows = ", ".join(f"{account.rows[table]} {table}" for table in TABLES)
            lines.append(
                f"  account {account.account_id} ({account.tier}, {account.retention_days} days, "
                f"before {account.cutoff.isoformat(timespec='seconds')}): {rows}"
            )
    return "\n".join(lines)


def _accounts(engine: Engine) -> list[tuple[uuid.UUID, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Account.id, Account.subscription_tier).order_by(Account.id)
        ).all()
    return [(row[0], row[1]) for row in rows]


def _expired(table: str, account: AccountRetention) -> ColumnElement[bool]:
    """The rows of `table` that the account's plan no longer keeps (see the module docstring)."""
    if table == "trace_events":
        return (TraceEvent.account_id == account.account_id) & (
            TraceEvent.timestamp < account.cutoff
        )
    if table == "usage_hourly":
        return (UsageHourly.account_id == account.account_id) & (
            UsageHourly.hour <= account.cutoff - timedelta(hours=1)
        )
    if table == "usage_daily":
        return (UsageDaily.account_id == account.account_id) & (
            UsageDaily.day <= account.cutoff - timedelta(days=1)
        )
    if table == "audit_events":
        return (AuditEvent.account_id == account.account_id) & (
            AuditEvent.created_at < account.cutoff
        )
    # started_at <= ended_at, so the started_at bound changes nothing but lets the
    # (account_id, started_at) index find the candidates.
    return (
        (Run.account_id == account.account_id)
        & (Run.started_at < account.cutoff)
        & (Run.ended_at < account.cutoff)
    )


_KEYS: dict[str, tuple[InstrumentedAttribute[object], ...]] = {
    "trace_events": (TraceEvent.account_id, TraceEvent.id),
    "usage_hourly": (
        UsageHourly.account_id,
        UsageHourly.hour,
        UsageHourly.provider,
        UsageHourly.model,
        UsageHourly.customer_id,
        UsageHourly.section,
        UsageHourly.agent,
    ),
    "runs": (Run.account_id, Run.run_id),
    "usage_daily": (
        UsageDaily.account_id,
        UsageDaily.day,
        UsageDaily.dimension,
        UsageDaily.value,
        UsageDaily.provider,
        UsageDaily.model,
    ),
    "audit_events": (AuditEvent.id,),
}
_MODELS = {
    "trace_events": TraceEvent,
    "usage_hourly": UsageHourly,
    "runs": Run,
    "usage_daily": UsageDaily,
    "audit_events": AuditEvent,
}


def _count_expired(engine: Engine, table: str, account: AccountRetention) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(_MODELS[table]).where(_expired(table, account))
        return int(connection.execute(query).scalar_one())


def _delete_expired(
    engine: Engine,
    table: str,
    account: AccountRetention,
    batch_size: int,
    should_stop: Callable[[], bool],
) -> None:
    keys = _KEYS[table]
    batch = select(*keys).where(_expired(table, account)).limit(batch_size)
    statement = delete(_MODELS[table]).where(tuple_(*keys).in_(batch))
    while not should_stop():
        deleted = _in_short_transaction(engine, lambda c: c.execute(statement).rowcount)
        account.rows[table] += deleted
        account.batches[table] += 1
        if deleted < batch_size:
            return


def _in_short_transaction(engine: Engine, work: Callable[[Connection], int]) -> int:
    """Run one batch in its own transaction, retrying it when it loses a lock conflict."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                return work(connection)
        except OperationalError:
            if attempt == _ATTEMPTS:
                raise
            logger.warning("retention: batch lost a lock conflict, retrying", exc_info=True)
            time.sleep(0.1 * attempt)
    raise AssertionError("unreachable")
