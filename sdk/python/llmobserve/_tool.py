"""`tool`: a span for one tool an agent calls (a search, a database lookup, a function)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmobserve._context import Frame
from llmobserve._scopes import Activation, Scope, _child


class _Tool(Scope):
    operation = "tool"

    def _frame(self, outer: Frame, activation: Activation) -> Frame:
        return _child(outer, activation)

    def _named(self, fn: Callable[..., Any]) -> Scope:
        return self if self.name else _Tool(getattr(fn, "__name__", None))


def tool(name: str | None = None) -> Scope:
    """A span for a tool call: its duration, and status `error` if an exception passed through.

    A child span of the current run (what the tool calls inside is recorded under it). A context
    manager and a decorator, like `run`. The tool's own cost, if it has one, is a `track()`.

    Args:
        name: The tool's name in the run's span tree; as a decorator, default: the function's
            name.

    Returns:
        A `Scope`.

    Example:
        ```python
        @llmobserve.tool("web_search")
        def search(query): ...
        ```
    """
    return _Tool(name if isinstance(name, str) else None)
