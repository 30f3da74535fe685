"""`run`, `section`, `agent` and `customer`: scopes that attribute what is recorded inside them.

Each is a context manager (sync and async) and a decorator (functions, coroutine functions,
generators, async generators). `run`, `section` and `agent` are spans: when one closes, an event
for the span itself is sent (operation "run"/"section"/"agent", its duration, status "error" if
an exception passed through it, cost 0), so that the collector's span tree has its parents.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, TypeVar

from llmobserve import _values as values
from llmobserve._client import active_worker
from llmobserve._context import Frame, _current, new_id, new_span_id
from llmobserve._decorate import decorate
from llmobserve._events import clip, new_event, put, put_duration, section_path
from llmobserve._log import capture_internal_errors

F = TypeVar("F", bound=Callable[..., Any])
_NEVER = datetime.min.replace(tzinfo=timezone.utc)


class Scope:
    """What `run`, `section`, `agent` and `customer` return: a context manager (sync and async)
    and a decorator. Entering it gives the `Frame` of the code inside. (`_frame` says what a
    scope changes in the frame it opens in.)
    """

    operation: str | None = None  # the span's operation; None: not a span

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        """The frame inside; the base `Scope` changes nothing (subclasses do)."""
        return dataclasses.replace(outer, outer=activation.outer, opener=activation)

    def _named(self, fn: Callable[..., Any]) -> Scope:
        return self

    # -- context manager -------------------------------------------------------------------

    def __enter__(self) -> Frame:
        activation = Activation(self)
        activation.enter()
        return activation.frame

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with capture_internal_errors():
            frame = _current.get()
            while frame is not None:
                opener = frame.opener
                if isinstance(opener, Activation) and opener.scope is self:
                    opener.exit(exc)
                    return
                frame = frame.outer

    async def __aenter__(self) -> Frame:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    # -- decorator -------------------------------------------------------------------------

    def __call__(self, fn: F) -> F:
        scope = self._named(fn)
        return decorate(fn, lambda: Activation(scope))


class Activation:
    """One opening of a scope: the frame it set, the one to restore, and the span's clock."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.outer: Frame | None = None
        self.frame = Frame()
        self._started_at = _NEVER
        self._clock = 0.0
        self._open = False

    def open(self) -> Frame:
        """Build the frame without entering it (a generator enters it at each step)."""
        with capture_internal_errors():
            self.outer = _current.get()
            self.frame = self.scope._frame(self.outer or Frame(), self)
            self._started_at = datetime.now(timezone.utc)
            self._clock = time.perf_counter()
            self._open = True
        return self.frame

    def enter(self) -> None:
        self.open()
        if self._open:
            _current.set(self.frame)

    def exit(self, exc: BaseException | None) -> None:
        """Restore the frame it was opened in (if this context still runs inside it)."""
        with capture_internal_errors():
            frame = _current.get()
            while frame is not None and frame is not self.frame:
                frame = frame.outer
            if frame is not None:
                _current.set(self.outer)
            self.finish(exc)

    def finish(self, exc: BaseException | None) -> None:
        """Send the span's own event."""
        if not self._open:
            return
        self._open = False
        worker = active_worker()
        operation = self.scope.operation
        if worker is None or operation is None or not worker.admit():
            return
        with capture_internal_errors():
            frame, outer = self.frame, self.outer
            same_run = outer is not None and outer.run_id == frame.run_id
            event = new_event(
                frame,
                timestamp=self._started_at,
                operation=operation,
                name=self.scope.name or operation,
                span_id=frame.span_id or new_span_id(),
                parent_span_id=outer.span_id if same_run and outer is not None else None,
            )
            put_duration(event, (time.perf_counter() - self._clock) * 1000)
            event["cost_usd"] = "0"
            if exc is not None and not isinstance(exc, GeneratorExit):
                event["status"] = "error"
                put(event, "error", f"{type(exc).__name__}: {exc}")
            worker.enqueue(event)


class _Run(Scope):
    operation = "run"

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        return Frame(
            run_id=new_id(),
            span_id=new_span_id(),
            section=outer.section,
            customer_id=outer.customer_id,
            agent=outer.agent,
            outer=activation.outer,
            opener=activation,
        )

    def _named(self, fn: Callable[..., Any]) -> Scope:
        return self if self.name else _Run(fn.__qualname__)


class _Section(Scope):
    operation = "section"

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        name = section_path(self.name or "section") or "section"
        path = f"{outer.section}/{name}" if outer.section else name
        return _child(outer, activation, section=section_path(path))

    def _named(self, fn: Callable[..., Any]) -> Scope:
        return self if self.name else _Section(fn.__name__)


class _Agent(Scope):
    operation = "agent"

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        return _child(outer, activation, agent=clip("agent", self.name) or "agent")

    def _named(self, fn: Callable[..., Any]) -> Scope:
        return self if self.name else _Agent(fn.__name__)


class _Customer(Scope):
    def __init__(self, customer_id: str | None) -> None:
        super().__init__(None)
        self.customer_id = customer_id

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        return Frame(
            run_id=outer.run_id,
            span_id=outer.span_id,
            section=outer.section,
            customer_id=clip("customer_id", self.customer_id),
            agent=outer.agent,
            outer=activation.outer,
            opener=activation,
        )


def run(name: str | None = None) -> Scope:
    """Group what happens inside into one run (a trace): a new run id and its root span.

    A context manager (`with`, `async with`) and a decorator (functions, coroutine functions,
    generators, async generators). When the run ends, an event for its root span is sent (its
    duration; status `error` if an exception passed through it, which goes on unchanged). Nested
    in another run, it starts a run of its own, keeping the customer, section and agent.

    Args:
        name: The run's name in the dashboard; as a decorator, default: the function's name.

    Returns:
        A `Scope`; `with llmobserve.run(...) as frame` gives the run's `Frame` (`frame.run_id`).

    Example:
        ```python
        with llmobserve.run("answer-ticket") as frame:
            answer(ticket)
        print(frame.run_id)

        @llmobserve.run("nightly-digest")
        async def digest(): ...
        ```
    """
    return _Run(values.text(name, "name", "run", limit=200))


def section(name: str | None = None) -> Scope:
    """Attribute what happens inside to a section (a feature or step) of your product.

    A child span of the current run, whose events carry the section; nested sections make a path
    (`support/retrieval`). Outside every run, a section starts a run of its own. A context manager
    and a decorator, like `run`.

    Args:
        name: The section's name (slashes make a path); as a decorator, default: the
            function's name.

    Returns:
        A `Scope`.

    Example:
        ```python
        with llmobserve.section("support"):
            with llmobserve.section("retrieval"):
                index.query(vector=embedding, top_k=5)  # section "support/retrieval"
        ```
    """
    return _Section(values.text(name, "name", "section", limit=200))


def agent(name: str | None = None) -> Scope:
    """Attribute what happens inside to an agent.

    A child span of the current run whose events carry `agent`, so that costs can be grouped by
    agent across runs. A context manager and a decorator, like `run`.

    Args:
        name: The agent's name; as a decorator, default: the function's name.

    Returns:
        A `Scope`.

    Example:
        ```python
        @llmobserve.agent("planner")
        def plan(task): ...
        ```
    """
    return _Agent(values.text(name, "name", "agent", limit=200))


def customer(customer_id: str) -> Scope:
    """Attribute what happens inside to one of your customers.

    Not a span: it only sets the `customer_id` of the events recorded inside (the innermost
    `customer` wins). A context manager and a decorator, like `run`.

    Args:
        customer_id: Your id for the customer (an organisation, a tenant, a user), at most 200
            characters.

    Returns:
        A `Scope`.

    Example:
        ```python
        with llmobserve.customer(request.user.org_id):
            handle(request)
        ```
    """
    return _Customer(values.text(customer_id, "customer_id", "customer", limit=200))


def _child(outer: Frame, activation: Activation, **changes: Any) -> Frame:
    """A child span of `outer`'s span, or the root of a new run outside every run."""
    fields: dict[str, Any] = {
        "run_id": outer.run_id or new_id(),
        "span_id": new_span_id(),
        "section": outer.section,
        "customer_id": outer.customer_id,
        "agent": outer.agent,
        "outer": activation.outer,
        "opener": activation,
    }
    fields.update(changes)
    return Frame(**fields)
