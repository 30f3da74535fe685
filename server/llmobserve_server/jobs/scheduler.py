"""Run a job every interval on a daemon thread inside the server.

    with retention_schedule(engine, interval_hours=24):
        ...  # the app serves; retention runs shortly after start, then every 24 hours

Every worker process of every replica has its own schedule; the job's lock (`jobs/locks.py`)
makes concurrent runs skip. A failing run is logged and tried again at the next interval: a job
never takes the server down. On exit the thread is told to stop, which the job notices between
two batches.
"""

from __future__ import annotations

import logging
import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from llmobserve_server.jobs.retention import format_report, run_retention

logger = logging.getLogger(__name__)

_MAX_FIRST_DELAY_SECONDS = 60.0
_STOP_TIMEOUT_SECONDS = 30.0


class PeriodicJob:
    """Calls `job(stop_event)` after a random delay (so that replicas started together do not
    all wake at once), then every `interval_seconds`, until `stop()`."""

    def __init__(
        self, name: str, job: Callable[[threading.Event], None], interval_seconds: float
    ) -> None:
        self.name = name
        self._job = job
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"job-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_STOP_TIMEOUT_SECONDS)

    def _loop(self) -> None:
        delay = random.uniform(0, min(_MAX_FIRST_DELAY_SECONDS, self._interval))
        while not self._stop.wait(delay):
            try:
                self._job(self._stop)
            except Exception:
                logger.exception("job %s failed; it runs again in %.0fs", self.name, self._interval)
            delay = self._interval


@contextmanager
def retention_schedule(
    engine: Engine, *, interval_hours: float, self_hosted_days: int | None = None
) -> Iterator[None]:
    """Run retention every `interval_hours` (0 disables it) for the duration of the block;
    self-hosted accounts keep `self_hosted_days` (None: everything)."""
    if interval_hours <= 0:
        yield
        return

    _make_visible(logging.getLogger("llmobserve_server.jobs"))

    def run_once(stop: threading.Event) -> None:
        report = run_retention(engine, should_stop=stop.is_set, self_hosted_days=self_hosted_days)
        if report is not None:
            logger.info("%s", format_report(report))

    job = PeriodicJob("retention", run_once, interval_hours * 3600)
    job.start()
    try:
        yield
    finally:
        job.stop()


def _make_visible(log: logging.Logger) -> None:
    """Print the jobs' INFO logs to stderr when nothing configured logging (uvicorn only
    configures its own loggers), so that an operator sees each run in the server's output."""
    if not log.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
