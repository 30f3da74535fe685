"""0.3's semantic labels: `section("agent:…")`, `section("tool:…")`, `section("step:…")`,
`@trace(agent=|tool=|step=)` and `wrap_tool()`, each as the scope that now says it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from llmobserve._scopes import Scope, agent, section
from llmobserve._tool import tool
from llmobserve.compat._warning import deprecated

F = TypeVar("F", bound=Callable[..., Any])


def labelled_scope(label: str, *, stacklevel: int = 4) -> Scope:
    """The scope for 0.3's section label `kind:name` (after one deprecation warning)."""
    kind, _, name = label.partition(":")
    new = {"agent": "llmobserve.agent", "tool": "llmobserve.tool"}.get(kind, "llmobserve.section")
    deprecated(f'section("{kind}:…")', f'{new}("{name}")', stacklevel=stacklevel)
    return _scope(kind, name)


def trace(
    agent: str | None = None, tool: str | None = None, step: str | None = None
) -> Callable[[F], F]:
    """0.3: `@trace(agent=…)`, `@trace(tool=…)`, `@trace(step=…)`. Now `@llmobserve.agent(…)`,
    `@llmobserve.tool(…)` and `@llmobserve.section(…)`."""
    for kind, name in (("agent", agent), ("tool", tool), ("step", step)):
        if isinstance(name, str) and name:
            new = {"step": "llmobserve.section"}.get(kind, f"llmobserve.{kind}")
            deprecated(f"trace({kind}=…)", f'@{new}("{name}")')
            return _scope(kind, name)
    deprecated("trace()", "@llmobserve.agent(name), @llmobserve.tool(name) or @llmobserve.section")
    return _scope("step", None)


def wrap_tool(func: F, name: str | None = None) -> F:
    """0.3: `wrap_tool(func, name)`. Now `llmobserve.tool(name)(func)`."""
    deprecated("wrap_tool()", "llmobserve.tool(name)(func)")
    if not callable(func):
        return func
    return _scope("tool", name)(func)


def _scope(kind: str, name: str | None) -> Scope:
    if kind == "agent":
        return agent(name)
    if kind == "tool":
        return tool(name)
    return section(name)
