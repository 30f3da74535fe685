"""llmobserve: what every OpenAI, Anthropic and Pinecone call costs, per run, section, agent and
customer. Two lines::

    import llmobserve
    llmobserve.init()  # reads LLMOBSERVE_API_KEY; openai/anthropic/pinecone are instrumented

The SDK never raises into, blocks or slows the application: events go to a bounded queue and a
background thread sends them. Only `ping()` raises (an `LLMObserveError`).
"""

from __future__ import annotations

from llmobserve._call import Usage, is_enabled, record_call
from llmobserve._carry import export_context, extract_headers, import_context, inject_headers
from llmobserve._client import flush, init, ping, shutdown, stats
from llmobserve._context import Frame, context_propagating
from llmobserve._exceptions import (
    AuthenticationError,
    BudgetExceededError,
    CollectorError,
    CollectorUnreachableError,
    LLMObserveError,
    NotConfiguredError,
)
from llmobserve._scopes import Scope, agent, customer, run, section
from llmobserve._tool import tool
from llmobserve._track import track
from llmobserve._version import __version__
from llmobserve.compat._warning import LLMObserveDeprecationWarning

__all__ = [
    "AuthenticationError",
    "BudgetExceededError",
    "CollectorError",
    "CollectorUnreachableError",
    "Frame",
    "LLMObserveDeprecationWarning",
    "LLMObserveError",
    "NotConfiguredError",
    "Scope",
    "Usage",
    "__version__",
    "agent",
    "context_propagating",
    "customer",
    "export_context",
    "extract_headers",
    "flush",
    "import_context",
    "init",
    "inject_headers",
    "is_enabled",
    "ping",
    "record_call",
    "run",
    "section",
    "shutdown",
    "stats",
    "tool",
    "track",
]


def __getattr__(name: str) -> object:
    """llmobserve 0.3's calls (`observe`, `set_customer_id`, …), kept with a deprecation warning
    (llmobserve/compat/); not in `__all__`."""
    from llmobserve.compat import old_name

    return old_name(name)
