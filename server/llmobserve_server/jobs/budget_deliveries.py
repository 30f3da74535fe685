"""Retry budget alerts that are due (budgets/alerts/delivery.py), every minute in every server
process; each delivery's lease keeps two processes from sending it twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.budgets.alerts.delivery import run_due_deliveries
from llmobserve_server.config import Settings
from llmobserve_server.jobs.scheduler import PeriodicJob


@contextmanager
def budget_delivery_schedule(
    system_sessions: sessionmaker[DbSession], settings: Settings, *, interval_seconds: float = 60
) -> Iterator[None]:
    """Run `run_due_deliveries` every `interval_seconds` for the duration of the block."""

    def run_once(_stop: threading.Event) -> None:
        run_due_deliveries(system_sessions, settings)

    job = PeriodicJob("budget-deliveries", run_once, interval_seconds)
    job.start()
    try:
        yield
    finally:
        job.stop()
