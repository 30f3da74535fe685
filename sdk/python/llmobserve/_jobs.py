"""A job (a Celery task, an RQ job) or a web request run as a span of the run that enqueued it.

The enqueuing side sends `export_context()` with the job; the worker side wraps the job in a
`JobSpan`: it continues that run (or starts one when nothing was carried), opens a `task` span
named after the job, and on `end()` sends the span (its duration, `error` if the job raised) and
restores the worker's context, so that the next job on the same worker starts clean.
"""

from __future__ import annotations

from llmobserve._carry import context_from, set_context
from llmobserve._context import Frame, _current
from llmobserve._log import capture_internal_errors
from llmobserve._scopes import Activation, Scope, _child

CARRIER_KEY = "llmobserve"  # the header / meta key the context travels under


class _Span(Scope):
    def __init__(self, name: str, operation: str) -> None:
        super().__init__(name)
        self.operation = operation

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        return _child(outer, activation)


class JobSpan:
    """One job's span in the enqueuer's run (see the module's docstring)."""

    def __init__(self, name: object, carried: object, *, operation: str = "task") -> None:
        self._previous = _current.get()
        self._activation: Activation | None = None
        with capture_internal_errors():
            changes = context_from(carried)
            if changes:
                set_context(**changes)
            if not changes and operation == "request":
                operation = "run"  # a request that carries no run is a run of its own
            span = _Span(name if isinstance(name, str) else operation, operation)
            self._activation = Activation(span)
            self._activation.enter()

    def end(self, exc: BaseException | None = None) -> None:
        with capture_internal_errors():
            if self._activation is not None:
                self._activation.exit(exc)
                self._activation = None
        _current.set(self._previous)
