"""llmobserve 0.3's calls, kept so that code written for 0.3 runs unchanged on this SDK.

Each old name warns once per call site (an `LLMObserveDeprecationWarning`, a `FutureWarning`,
so that it is shown by default) naming the call that replaces it, then does that call's job.
They are reached as `llmobserve.<old name>` through the package's `__getattr__`, so they are
not in `llmobserve.__all__` and cost nothing until used. docs/sdk/upgrading-from-0.3.md maps
every 0.3 call to its replacement.
"""

from __future__ import annotations

import importlib
from typing import Any

# old name -> the module of llmobserve.compat that defines it
_OLD_NAMES = {
    "observe": "_observe",
    "is_initialized": "_observe",
    "is_instrumented": "_observe",
    "auto_instrument": "_observe",
    "wrap_openai_client": "_observe",
    "wrap_anthropic_client": "_observe",
    "set_log_level": "_observe",
    "set_customer_id": "_context",
    "get_customer_id": "_context",
    "set_run_id": "_context",
    "get_run_id": "_context",
    "trace": "_labels",
    "wrap_tool": "_labels",
    "export_distributed_context": "_context",
    "import_distributed_context": "_context",
    "get_current_context": "_context",
    "restore_context": "_context",
    "with_context": "_context",
    "observe_task": "_tasks",
    "observe_rq_job": "_tasks",
    "patch_celery_task": "_tasks",
    "ObservabilityMiddleware": "_web",
    "flask_before_request": "_web",
    "django_middleware": "_web",
}
OLD_NAMES = frozenset(_OLD_NAMES)


def old_name(name: str) -> Any:
    """The 0.3 call `name` (for `llmobserve.__getattr__`); AttributeError for any other name."""
    module = _OLD_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'llmobserve' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
