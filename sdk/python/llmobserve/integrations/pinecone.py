"""The `pinecone` library: `Index.query`, `upsert`, `fetch` and `delete` (and the same on the
asyncio index of each release from 6 on, wherever that release keeps it).

Pinecone bills read and write units, not tokens: an event carries `units` as the response reports
them (`{"read_units": 5}` for a query or fetch; the REST API reports no units for upsert and
delete, so those events count the call without units). The model is the index's name, read from
its host (`products-abc1234.svc.aped-4627.pinecone.io` -> "products"); None for other hosts.

Note: `Index.query` and `Index.upsert` are bound per instance when the index client is created
(pinecone's legacy `async_req` support), so create index clients after `llmobserve.init()`.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from llmobserve.integrations._calls import Method, ProviderCall, wrap_async, wrap_sync
from llmobserve.integrations._patching import Library, Target, Version
from llmobserve.integrations._reading import field

_OPERATIONS = ("query", "upsert", "fetch", "delete")
# Where each release keeps its index clients, sync (`pc.Index(host=…)`) and asyncio
# (`pc.IndexAsyncio(host=…)`): (module, class, is_async, from, before). In pinecone 6,
# `pinecone.Index` is a stub that only raises, so the real class is named by its module.
_INDEX_CLASSES: tuple[tuple[str, str, bool, Version, Version | None], ...] = (
    ("pinecone.data.index", "Index", False, (5,), (7,)),
    ("pinecone.db_data.index", "Index", False, (7,), (9,)),
    ("pinecone.index", "Index", False, (9,), None),
    ("pinecone.data.index_asyncio", "_IndexAsyncio", True, (6,), (7,)),
    ("pinecone.db_data.index_asyncio", "_IndexAsyncio", True, (7,), (9,)),
    ("pinecone.async_client.async_index", "AsyncIndex", True, (9,), None),
)

TARGETS = tuple(
    Target(module, cls, operation, operation, is_async, since, before)
    for module, cls, is_async, since, before in _INDEX_CLASSES
    for operation in _OPERATIONS
)

_UNITS = ("read_units", "write_units")


class IndexCall:
    """Measures one data-plane call of an index client (an `Instrumentation`)."""

    def __init__(self, operation: str) -> None:
        self.operation = operation

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall("pinecone", self.operation, index_name(_host_of(instance)), kwargs)

    def end(self, call: ProviderCall, result: Any) -> Any:
        usage = field(result, "usage")
        units = {name: value for name in _UNITS if _is_count(value := field(usage, name))}
        call.finish(units=units or None)
        return result


def _is_count(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _host_of(index: Any) -> str | None:
    host = getattr(index, "host", None)
    for config in ("_config", "config"):  # older clients keep it in their config
        if not isinstance(host, str):
            host = getattr(getattr(index, config, None), "host", None)
    return host if isinstance(host, str) else None


@functools.lru_cache(maxsize=256)
def index_name(host: str | None) -> str | None:
    """The index name in a Pinecone host: `<name>-<project id>.svc.<region>.pinecone.io`."""
    if not host:
        return None
    hostname = urlsplit(host if "://" in host else f"//{host}").hostname or ""
    if not hostname.endswith(".pinecone.io"):
        return None
    name, _, project = hostname.split(".", 1)[0].rpartition("-")
    return name if name and project else None


def wrap(original: Method, target: Target) -> Method:
    """The wrapper of one target method."""
    instrumentation = IndexCall(target.operation)
    if target.is_async:
        return wrap_async(original, instrumentation)
    return wrap_sync(original, instrumentation)


LIBRARY = Library(name="pinecone", min_version=(5,), targets=TARGETS, wrap=wrap)
