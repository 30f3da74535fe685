"""0.3's context calls: set_customer_id, set_run_id, get_run_id and the worker helpers."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from llmobserve._carry import context_from, export_context, import_context, set_context
from llmobserve._context import current_frame, new_id
from llmobserve._events import clip
from llmobserve._log import capture_internal_errors
from llmobserve.compat._warning import deprecated


def set_customer_id(customer_id: str | None = None) -> None:
    """0.3: attribute what follows to a customer. Now `with llmobserve.customer(id):`."""
    deprecated("set_customer_id()", "`with llmobserve.customer(customer_id):`")
    with capture_internal_errors():
        value = clip("customer_id", customer_id) if isinstance(customer_id, str) else None
        set_context(customer_id=value)


def get_customer_id() -> str | None:
    """0.3: the current customer. Now `llmobserve.export_context().get("customer_id")`."""
    deprecated("get_customer_id()", 'llmobserve.export_context().get("customer_id")')
    return current_frame().customer_id


def set_run_id(run_id: str | None = None) -> None:
    """0.3: start a run (a new id when None). Now `with llmobserve.run(name):`."""
    deprecated("set_run_id()", "`with llmobserve.run(name):`")
    with capture_internal_errors():
        value = clip("run_id", run_id) if isinstance(run_id, str) else None
        set_context(run_id=value or new_id(), span_id=None)


def get_run_id() -> str:
    """0.3: the current run's id, starting one if there is none. Now `with llmobserve.run() as
    frame: frame.run_id` (or `llmobserve.export_context()["run_id"]`)."""
    deprecated("get_run_id()", "`with llmobserve.run(name) as frame:` and frame.run_id")
    run_id = current_frame().run_id
    if run_id:
        return run_id
    run_id = new_id()
    with capture_internal_errors():
        set_context(run_id=run_id, span_id=None)
    return run_id


def export_distributed_context() -> dict[str, str]:
    """0.3: the context for a background job. Now `llmobserve.export_context()`."""
    deprecated("export_distributed_context()", "llmobserve.export_context()")
    return export_context()


def import_distributed_context(ctx: object = None) -> None:
    """0.3: continue a job's context. Now `llmobserve.import_context(ctx)`."""
    deprecated("import_distributed_context()", "llmobserve.import_context(ctx)")
    if ctx:
        import_context(ctx)


def get_current_context() -> dict[str, str]:
    """0.3 (celery_support): the context for a task. Now `llmobserve.export_context()`."""
    deprecated("get_current_context()", "llmobserve.export_context()")
    return export_context()


def restore_context(ctx: object = None) -> None:
    """0.3 (celery_support): restore a task's context. Now `llmobserve.import_context(ctx)`."""
    deprecated("restore_context()", "llmobserve.import_context(ctx)")
    if ctx and context_from(ctx):
        import_context(ctx)


def with_context(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """0.3: call `func` in the current context (e.g. `executor.submit(with_context, f, x)`).
    Now `executor.submit(llmobserve.context_propagating(f), x)`."""
    deprecated("with_context()", "llmobserve.context_propagating(func)")
    return contextvars.copy_context().run(func, *args, **kwargs)
