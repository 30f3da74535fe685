"""Provider integrations: `llmobserve.init()` calls `patch_all()`, which instruments each of
these libraries that the application has imported, and each of the others when (if ever) the
application imports it (see _on_import.py: `init()` imports no library itself). One module per
library; each lists the methods it wraps as data (`TARGETS`) and imports the library only when it
is patched, so a missing library costs nothing.

| library   | module                | what is recorded                                        |
| --------- | --------------------- | ------------------------------------------------------- |
| openai    | integrations/openai   | chat, completion, embedding, responses (sync + async)   |
| anthropic | integrations/anthropic| messages.create / parse / stream (sync + async)         |
| pinecone  | integrations/pinecone | Index query, upsert, fetch, delete (sync + asyncio)     |
| celery    | integrations/celery   | a task continues the enqueuer's run (a `task` span)     |
| rq        | integrations/rq       | a job continues the enqueuer's run (a `task` span)      |

`integrations/web` holds the ASGI and WSGI middleware (added by the application, not by `init`).

Each wrapper passes straight through while the SDK is off (`llmobserve.is_enabled()`).
"""

from __future__ import annotations

import functools
import importlib

from llmobserve._log import logger
from llmobserve.integrations._on_import import forget_all, when_imported
from llmobserve.integrations._patching import Library, patch_library
from llmobserve.integrations._patching import unpatch_all as _unpatch_all

INTEGRATIONS = ("openai", "anthropic", "pinecone")
TASK_QUEUES = ("celery", "rq")

__all__ = ["INTEGRATIONS", "patch_all", "unpatch_all"]


def patch_all() -> list[str]:
    """Instrument every library of `INTEGRATIONS` the application has imported, and the others
    as soon as it imports them (once: calling it again does not wrap twice). Returns the names
    of the libraries instrumented now."""
    patched = []
    for name in INTEGRATIONS:
        try:
            library: Library = importlib.import_module(f"{__name__}.{name}").LIBRARY
            done: list[bool] = []
            when_imported(library.name, functools.partial(_patch, library, done))
            if done and done[0]:
                patched.append(name)
        except Exception as exc:  # an integration's own bug must not stop the others
            logger.warning("llmobserve: the %s integration failed to load: %s", name, exc)
    for queue in TASK_QUEUES:  # tasks continue the run that enqueued them
        try:
            when_imported(queue, importlib.import_module(f"{__name__}.{queue}").connect)
        except Exception as exc:
            logger.warning("llmobserve: the %s integration failed to load: %s", queue, exc)
    return patched


def _patch(library: Library, done: list[bool]) -> None:
    done.append(patch_library(library))


def unpatch_all() -> None:
    """Put back every original method that is still wrapped by llmobserve, and stop waiting for
    the libraries not imported yet."""
    forget_all()
    _unpatch_all()
