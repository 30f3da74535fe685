"""RQ: a job continues the run that enqueued it, with no change to the jobs.

`connect()` (called by `llmobserve.init()` when RQ is installed) wraps two RQ methods:
`Queue.create_job` puts `export_context()` in the job's `meta`, and `Job.perform` runs the job
as a span of that run (`llmobserve._jobs.JobSpan`). RQ's default worker runs each job in a
forked "work horse" that ends with `os._exit()`, skipping exit handlers: so the job's events are
flushed when it ends (bounded by the `shutdown_timeout` option).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from llmobserve._carry import export_context
from llmobserve._client import active_worker, flush
from llmobserve._jobs import CARRIER_KEY, JobSpan
from llmobserve._log import capture_internal_errors

_MARKER = "__llmobserve_wrapped__"
_lock = threading.Lock()


def connect() -> bool:
    """Wrap RQ's `Queue.create_job` and `Job.perform` (once). False when RQ is not installed."""
    try:
        from rq.job import Job
        from rq.queue import Queue
    except ImportError:
        return False
    with _lock:
        if not getattr(Queue.create_job, _MARKER, False):
            Queue.create_job = _creating(Queue.create_job)  # type: ignore[method-assign]
        if not getattr(Job.perform, _MARKER, False):
            Job.perform = _performing(Job.perform)  # type: ignore[method-assign]
    return True


def _creating(create_job: Any) -> Any:
    @functools.wraps(create_job)
    def create_job_carrying_context(self: Any, *args: Any, **kwargs: Any) -> Any:
        with capture_internal_errors():
            context = export_context()
            meta = kwargs.get("meta")
            if context and (meta is None or isinstance(meta, dict)) and len(args) <= 10:
                kwargs["meta"] = {**(meta or {}), CARRIER_KEY: context}
        return create_job(self, *args, **kwargs)

    setattr(create_job_carrying_context, _MARKER, True)
    return create_job_carrying_context


def _performing(perform: Any) -> Any:
    @functools.wraps(perform)
    def perform_in_enqueuers_run(self: Any) -> Any:
        if active_worker() is None:
            return perform(self)
        carried, name = None, None
        with capture_internal_errors():
            carried = (getattr(self, "meta", None) or {}).get(CARRIER_KEY)
            name = getattr(self, "func_name", None)
        span = JobSpan(name, carried)
        try:
            result = perform(self)
        except BaseException as exc:
            span.end(exc)
            _flush()
            raise
        span.end(None)
        _flush()
        return result

    setattr(perform_in_enqueuers_run, _MARKER, True)
    return perform_in_enqueuers_run


def _flush() -> None:
    with capture_internal_errors():
        worker = active_worker()
        if worker is not None:
            flush(timeout=worker.options.shutdown_timeout)
