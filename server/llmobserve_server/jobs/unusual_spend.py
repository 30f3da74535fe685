"""The daily unusual-spend job: record yesterday's unusual (model, customer) days in every
account (anomalies/recording.py), then email each account's owners what they were not yet told
(anomalies/notification.py).

    run_unusual_spend(engine, sessions, settings)  # what the schedule calls

It runs every `UNUSUAL_SPEND_INTERVAL_HOURS` (default 1) in every server process; the job's lock
makes concurrent runs skip, and the day's unique key makes a second run of the same day record
nothing new. Running more often than daily only means yesterday is looked at again soon after
midnight UTC, and a failed email is retried within the hour.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.anomalies.notification import notify_owners
from llmobserve_server.anomalies.recording import record_unusual_days
from llmobserve_server.config import Settings
from llmobserve_server.jobs.locks import job_lock
from llmobserve_server.jobs.scheduler import PeriodicJob

logger = logging.getLogger(__name__)

UNUSUAL_SPEND_LOCK_ID = 7_404_240_003  # the advisory lock of a run (see jobs/locks.py)


@dataclass(frozen=True)
class UnusualSpendReport:
    recorded: int
    emails_sent: int


def run_unusual_spend(
    engine: Engine,
    sessions: sessionmaker[DbSession],
    settings: Settings,
    *,
    now: datetime | None = None,
) -> UnusualSpendReport | None:
    """Look at the last full UTC day before `now`; None when another run holds the lock.
    `engine` and `sessions` are the tables' owner's: the job reads every account."""
    now = now or datetime.now(timezone.utc)
    yesterday = now.astimezone(timezone.utc).date() - timedelta(days=1)
    with job_lock(engine, "unusual-spend", UNUSUAL_SPEND_LOCK_ID) as acquired:
        if not acquired:
            return None
        with sessions() as db, db.begin():
            recorded = len(record_unusual_days(db, day=yesterday, now=now))
        sent = notify_owners(sessions, settings, now=now)
    return UnusualSpendReport(recorded, sent)


@contextmanager
def unusual_spend_schedule(
    engine: Engine, sessions: sessionmaker[DbSession], settings: Settings
) -> Iterator[None]:
    """Run `run_unusual_spend` every `settings.unusual_spend_interval_hours` (0: never) for
    the duration of the block."""
    interval_hours = settings.unusual_spend_interval_hours
    if interval_hours <= 0:
        yield
        return

    def run_once(_stop: threading.Event) -> None:
        report = run_unusual_spend(engine, sessions, settings)
        if report is not None and (report.recorded or report.emails_sent):
            logger.info(
                "unusual spend: %d recorded, %d emails sent", report.recorded, report.emails_sent
            )

    job = PeriodicJob("unusual-spend", run_once, interval_hours * 3600)
    job.start()
    try:
        yield
    finally:
        job.stop()
