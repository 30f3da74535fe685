"""0.3's `observe()`: `init()` under its old name and options."""

from __future__ import annotations

import logging
import math
import os
from typing import Any, TypeVar

from llmobserve._call import is_enabled
from llmobserve._carry import set_context
from llmobserve._client import init
from llmobserve._events import clip
from llmobserve._log import capture_internal_errors, logger
from llmobserve.compat._warning import deprecated

T = TypeVar("T")


def observe(
    collector_url: str | None = None,
    proxy_url: str | None = None,
    api_key: str | None = None,
    flush_interval_ms: float = 500,
    customer_id: str | None = None,
    **proxy_era_options: Any,
) -> None:
    """llmobserve 0.3's start-up call: `llmobserve.init(api_key=, collector_url=)`.

    `flush_interval_ms` becomes `flush_interval` (seconds); `customer_id` sets the customer of
    the calling context (like `set_customer_id`). `proxy_url` and 0.3's other options (the
    reverse proxy, instrumentors, framework patching, tenants) have no meaning here: they are
    accepted and ignored, named in the one deprecation warning. `LLMOBSERVE_DISABLED=1` (0.3's
    switch) still turns the SDK off.

    Example:
        ```python
        llmobserve.observe(collector_url="http://127.0.0.1:8000", api_key="llmo_sk_...")
        ```
    """
    ignored = sorted(name for name in proxy_era_options if isinstance(name, str))
    if proxy_url is not None:
        ignored.insert(0, "proxy_url")
    note = f" ({', '.join(ignored)} ignored: llmobserve has no proxy)" if ignored else ""
    deprecated("observe()", f"llmobserve.init(api_key=..., collector_url=...){note}")
    with capture_internal_errors():
        if os.environ.get("LLMOBSERVE_DISABLED", "").strip().lower() in ("1", "true", "yes"):
            logger.warning("llmobserve is disabled by LLMOBSERVE_DISABLED: nothing is recorded.")
            return
        init(
            api_key=api_key if isinstance(api_key, str) else None,
            collector_url=collector_url if isinstance(collector_url, str) else None,
            flush_interval=_seconds(flush_interval_ms),
        )
        if isinstance(customer_id, str) and clip("customer_id", customer_id):
            set_context(customer_id=clip("customer_id", customer_id))


def _seconds(milliseconds: object) -> float:
    """0.3's flush interval in seconds, within init()'s bounds (its default 1 s if not a number)."""
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, (int, float)):
        return 1.0
    if math.isnan(milliseconds):
        return 1.0
    return min(max(float(milliseconds) / 1000, 0.001), 3600.0)


def is_initialized() -> bool:
    """0.3: was `observe()` called? Now `llmobserve.is_enabled()`."""
    deprecated("is_initialized()", "llmobserve.is_enabled()")
    return is_enabled()


def is_instrumented(*_: object, **__: object) -> bool:
    """0.3: is a provider instrumented? Now `llmobserve.is_enabled()` (init patches them all)."""
    deprecated("is_instrumented()", "llmobserve.is_enabled()")
    return is_enabled()


def auto_instrument(*_: object, **__: object) -> None:
    """0.3: instrument the providers. Now done by `llmobserve.init()`: does nothing."""
    deprecated("auto_instrument()", "nothing: llmobserve.init() instruments the providers")


def wrap_openai_client(client: T) -> T:
    """0.3: wrap an OpenAI client. Now every client is instrumented by `init()`: returns it."""
    deprecated("wrap_openai_client()", "the client itself: llmobserve.init() instruments it")
    return client


def wrap_anthropic_client(client: T) -> T:
    """0.3: wrap an Anthropic client. Now every client is instrumented by `init()`: returns it."""
    deprecated("wrap_anthropic_client()", "the client itself: llmobserve.init() instruments it")
    return client


def set_log_level(level: object = "WARNING") -> None:
    """0.3: the `llmobserve` logger's level. Now `logging.getLogger("llmobserve").setLevel(…)`
    (or `init(debug=True)`)."""
    deprecated("set_log_level()", 'logging.getLogger("llmobserve").setLevel(level)')
    with capture_internal_errors():
        name = level.upper() if isinstance(level, str) else ""
        value = logging.getLevelName(name)
        logger.setLevel(value if isinstance(value, int) else logging.WARNING)
