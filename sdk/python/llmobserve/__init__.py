"""llmobserve: what every OpenAI, Anthropic and Pinecone call costs, per run, section, agent and
customer. Two lines::

    import llmobserve
    llmobserve.init()  # reads LLMOBSERVE_API_KEY; openai/anthropic/pinecone are instrumented

The SDK never raises into, blocks or slows the application: events go to a bounded queue and a
background thread sends them. Only `ping()` raises (an `LLMObserveError`).
"""

from __future__ import annotations

from llmobserve._call import Usage, is_enabled, record_call
from llmobserve._client import flush, init, ping, shutdown, stats
from llmobserve._context import Frame, context_propagating
from llmobserve._exceptions import (
    AuthenticationError,
    CollectorError,
    CollectorUnreachableError,
    LLMObserveError,
    NotConfiguredError,
)
from llmobserve._scopes import Scope, agent, customer, run, section
from llmobserve._track import track
from llmobserve._version import __version__

__all__ = [
    "AuthenticationError",
    "CollectorError",
    "CollectorUnreachableError",
    "Frame",
    "LLMObserveError",
    "NotConfiguredError",
    "Scope",
    "Usage",
    "__version__",
    "agent",
    "context_propagating",
    "customer",
    "flush",
    "init",
    "is_enabled",
    "ping",
    "record_call",
    "run",
    "section",
    "shutdown",
    "stats",
    "track",
]
