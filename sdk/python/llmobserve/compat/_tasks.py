"""0.3's task helpers: `observe_task`, `observe_rq_job`, `patch_celery_task`. Celery tasks and RQ
jobs now continue the enqueuer's run by themselves after `llmobserve.init()`
(llmobserve/integrations/celery.py and rq.py), so these only keep 0.3's explicit form working:
a `_llmobserve_ctx` keyword argument carrying 0.3's (or our) exported context."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from llmobserve._carry import context_from, export_context, import_context
from llmobserve._scopes import section as section_scope
from llmobserve.compat._warning import deprecated

AUTOMATIC = "nothing: Celery tasks and RQ jobs continue the enqueuer's run after llmobserve.init()"


def observe_task(func: Callable[..., Any] | None = None, *, section: str | None = None) -> Any:
    """0.3: `@observe_task` / `@observe_task(section=…)` on a task."""
    deprecated("observe_task", AUTOMATIC)

    def decorator(task: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(task):
            return task
        scoped = section_scope(section)(task) if isinstance(section, str) and section else task

        if inspect.iscoroutinefunction(task):

            @functools.wraps(task)
            async def continue_async(*args: Any, **kwargs: Any) -> Any:
                _import(kwargs.pop("_llmobserve_ctx", None))
                return await scoped(*args, **kwargs)

            return continue_async

        @functools.wraps(task)
        def continue_sync(*args: Any, **kwargs: Any) -> Any:
            _import(kwargs.pop("_llmobserve_ctx", None))
            return scoped(*args, **kwargs)

        return continue_sync

    return decorator if func is None else decorator(func)


def observe_rq_job(func: Callable[..., Any]) -> Callable[..., Any]:
    """0.3: `@observe_rq_job`, with `job.enqueue_with_context(queue, …)`."""
    deprecated("observe_rq_job", AUTOMATIC)
    if not callable(func):
        return func

    @functools.wraps(func)
    def continue_job(*args: Any, **kwargs: Any) -> Any:
        _import(kwargs.pop("_llmobserve_ctx", None))
        return func(*args, **kwargs)

    def enqueue_with_context(queue: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["_llmobserve_ctx"] = export_context()
        return queue.enqueue(continue_job, *args, **kwargs)

    continue_job.enqueue_with_context = enqueue_with_context  # type: ignore[attr-defined]
    return continue_job


def patch_celery_task(celery_app: object = None) -> None:
    """0.3: made every Celery task carry the context. Now automatic: does nothing."""
    deprecated("patch_celery_task()", AUTOMATIC)


def _import(carried: object) -> None:
    if carried and context_from(carried):
        import_context(carried)
