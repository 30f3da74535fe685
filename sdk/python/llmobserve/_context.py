"""Where a call happens: the run, span, section, customer and agent of the current context.

Kept in one `contextvars.ContextVar`, so it follows asyncio tasks on its own, and threads with
`context_propagating`. A `Frame` is immutable: opening a scope sets a new frame whose `outer` is
the previous one, and closing it restores `outer`.
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from llmobserve._log import capture_internal_errors
from llmobserve._values import invalid

if TYPE_CHECKING:  # ParamSpec is Python 3.10+: only for the type checker
    from typing import ParamSpec

    P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Frame:
    """The attribution of the code running in a scope: what `with llmobserve.run(...) as frame`
    gives. Events recorded in the scope get these fields.

    Attributes:
        run_id: The run's id (32 hex digits), e.g. for `GET /v1/runs/{run_id}` or your logs.
        span_id: The innermost open span: the parent of what is recorded here.
        section: The slash path of the nested sections, e.g. `"support/retrieval"`.
        customer_id: The customer set by the innermost `customer`.
        agent: The agent set by the innermost `agent`.
    """

    run_id: str | None = None
    span_id: str | None = None  # the innermost open span: parent of what is recorded here
    section: str | None = None  # slash path of the nested sections, e.g. "support/retrieval"
    customer_id: str | None = None
    agent: str | None = None
    # Bookkeeping, not attribution: the frame this one was opened in, and what opened it.
    outer: Frame | None = field(default=None, repr=False, compare=False)
    opener: object | None = field(default=None, repr=False, compare=False)


_current: contextvars.ContextVar[Frame | None] = contextvars.ContextVar(
    "llmobserve_frame", default=None
)
_EMPTY = Frame()


def current_frame() -> Frame:
    """The frame of the running code (an empty one outside every scope)."""
    return _current.get() or _EMPTY


def set_frame(frame: Frame | None) -> None:
    _current.set(frame)


def new_id() -> str:
    """A run id: 32 random hex digits."""
    return os.urandom(16).hex()


def new_span_id() -> str:
    """A span id: 16 random hex digits."""
    return os.urandom(8).hex()


def context_propagating(fn: Callable[P, T]) -> Callable[P, T]:
    """Wrap `fn` so that it runs in the llmobserve context of the code that wrapped it: the
    run, section, customer and agent follow it into a thread pool.

    Each call runs in its own copy of that context, so one wrapped function may run in many
    threads at once. (`contextvars` follow asyncio tasks by themselves, not threads.)

    Args:
        fn: The function to hand to a thread or a pool.

    Returns:
        A function with the same signature.

    Example:
        ```python
        with llmobserve.run("nightly-report"):
            with ThreadPoolExecutor() as pool:
                pool.map(llmobserve.context_propagating(summarize), documents)
        ```
    """
    if not callable(fn):
        invalid("context_propagating", "fn", fn, "callable", "it was returned unchanged")
        return fn
    captured = contextvars.copy_context()

    @functools.wraps(fn)
    def in_captured_context(*args: P.args, **kwargs: P.kwargs) -> T:
        context = captured
        with capture_internal_errors():
            context = captured.copy()
        return context.run(fn, *args, **kwargs)

    return in_captured_context
