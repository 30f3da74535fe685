"""`llmobserve-server serve`: check the settings, configure logs and metrics, run uvicorn.

Shutdown: on SIGTERM (or Ctrl-C) uvicorn stops accepting connections, lets requests in flight
finish for up to `SHUTDOWN_TIMEOUT_SECONDS`, then runs the app's shutdown (the retention job
stops after its current batch, the database pool closes). A shutdown asked for by a signal is a
normal end: the command exits 0, as process managers expect.
"""

from __future__ import annotations

import logging
import logging.config
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import ValidationError

from llmobserve_server import __version__
from llmobserve_server.config import Settings, get_settings
from llmobserve_server.gc_tuning import tune_for_serving
from llmobserve_server.observability.logs import logging_config
from llmobserve_server.observability.metrics import MULTIPROCESS_DIR_VARIABLE
from llmobserve_server.production import production_problems, production_warnings

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger("llmobserve_server.serve")


def load_settings() -> Settings | None:
    """The settings, or None after printing which variables are wrong (no traceback)."""
    try:
        return get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            variable = "_".join(str(part) for part in error["loc"]).upper()
            print(f"error: {variable}: {error['msg']}", file=sys.stderr)
        return None


def create_serving_app() -> FastAPI:
    """The app as `serve` runs it, built in each worker process, with the garbage collector
    tuned for a process that serves until it stops (llmobserve_server.gc_tuning)."""
    from llmobserve_server.app import create_app

    app = create_app()
    tune_for_serving()
    return app


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    access_log: bool,
) -> int:
    problems = production_problems(settings)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("error: not starting (LLMOBSERVE_ENV=production).", file=sys.stderr)
        return 1
    log_config = logging_config(
        json_lines=settings.json_logs, level=log_level, access_log=access_log
    )
    logging.config.dictConfig(log_config)
    for warning in production_warnings(settings):
        logger.warning("%s", warning)

    import uvicorn

    from llmobserve_server.db.migrate import prepare_configured_database

    if settings.auto_migrate:  # once here, rather than racing in every worker (which warn)
        prepare_configured_database(settings, warn=False)
    logger.info(
        "llmobserve %s on http://%s:%s (%s, %s worker%s, %s)",
        __version__,
        host,
        port,
        _describe_db(settings),
        workers,
        "s" if workers > 1 else "",
        settings.llmobserve_env,
    )
    with _metrics_shared_between(workers), _signal_ends_normally():
        uvicorn.run(
            "llmobserve_server.serving:create_serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=log_config,
            log_level=log_level,
            access_log=False,  # the app's own access log (observability.middleware) replaces it
            timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
            server_header=False,
        )
    logger.info("llmobserve stopped")
    return 0


def _describe_db(settings: Settings) -> str:
    if settings.database_url:
        return "PostgreSQL"
    return f"SQLite at {(settings.llmobserve_data_dir / 'llmobserve.db').resolve()}"


@contextmanager
def _metrics_shared_between(workers: int) -> Iterator[None]:
    """With several workers, give them a directory to pool their metrics in (prometheus_client's
    multiprocess mode): the operator's `PROMETHEUS_MULTIPROC_DIR`, emptied, or a temporary one."""
    if workers <= 1:
        yield
        return
    chosen = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # a previous run's values must not be added in
            stale.unlink()
        yield
        return
    directory = Path(tempfile.mkdtemp(prefix="llmobserve-metrics-"))
    os.environ[MULTIPROCESS_DIR_VARIABLE] = str(directory)
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR_VARIABLE]
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def _signal_ends_normally() -> Iterator[None]:
    """uvicorn re-raises the signal that stopped it once it has shut down, so that the process
    would die of SIGTERM (exit status 143); a handler that ignores that second delivery lets
    `serve` return 0 after a graceful shutdown instead."""

    def ignore(_signum: int, _frame: FrameType | None) -> None:
        pass

    previous = {sig: signal.signal(sig, ignore) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
