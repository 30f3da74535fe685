"""Celery: a task continues the run that enqueued it, with no change to the tasks.

`connect()` (called by `llmobserve.init()` when Celery is installed) hooks Celery's signals:
`before_task_publish` puts `export_context()` in the message's headers; in the worker,
`task_prerun` opens the task's span in that run (`llmobserve._jobs.JobSpan`), `task_failure`
notes the exception and `task_postrun` closes the span; a pool process that ends flushes first
(`worker_process_shutdown`: pool processes may end without running exit handlers). Tasks
enqueued outside every run get a run of their own.
"""

from __future__ import annotations

import threading
from typing import Any

from llmobserve._carry import export_context
from llmobserve._client import active_worker, flush
from llmobserve._jobs import CARRIER_KEY, JobSpan
from llmobserve._log import capture_internal_errors

_spans: dict[str, JobSpan] = {}
_failures: dict[str, BaseException] = {}
_lock = threading.Lock()
_connected = False


def connect() -> bool:
    """Hook Celery's signals (once). False when Celery is not installed."""
    global _connected
    try:
        from celery import signals  # type: ignore[import-untyped]
    except ImportError:
        return False
    with _lock:
        if not _connected:
            uid = "llmobserve"
            signals.before_task_publish.connect(_publish, weak=False, dispatch_uid=uid)
            signals.task_prerun.connect(_prerun, weak=False, dispatch_uid=uid)
            signals.task_failure.connect(_failure, weak=False, dispatch_uid=uid)
            signals.task_postrun.connect(_postrun, weak=False, dispatch_uid=uid)
            signals.worker_process_shutdown.connect(_flush, weak=False, dispatch_uid=uid)
            _connected = True
    return True


def _publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    with capture_internal_errors():
        context = export_context()
        if context and isinstance(headers, dict):
            headers.setdefault(CARRIER_KEY, context)


def _prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    with capture_internal_errors():
        request = getattr(task, "request", None)
        carried = getattr(request, CARRIER_KEY, None)
        if carried is None:
            carried = (getattr(request, "headers", None) or {}).get(CARRIER_KEY)
        span = JobSpan(getattr(task, "name", None), carried)
        with _lock:
            _spans[str(task_id)] = span


def _failure(task_id: str | None = None, exception: BaseException | None = None, **_: Any) -> None:
    if exception is not None:
        with _lock:
            _failures[str(task_id)] = exception


def _postrun(task_id: str | None = None, **_: Any) -> None:
    with _lock:
        span = _spans.pop(str(task_id), None)
        exception = _failures.pop(str(task_id), None)
    if span is not None:
        span.end(exception)


def _flush(**_: Any) -> None:
    with capture_internal_errors():
        worker = active_worker()
        if worker is not None:
            flush(timeout=worker.options.shutdown_timeout)
