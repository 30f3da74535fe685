"""The `pinecone` library: `Index.query`, `upsert`, `fetch` and `delete` (and the same on the
asyncio `AsyncIndex`).

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
from llmobserve.integrations._patching import Library, Target
from llmobserve.integrations._reading import field

_ASYNC_INDEX = "pinecone.async_client.async_index"

TARGETS = (
    Target("pinecone", "Index", "query", "query"),
    Target("pinecone", "Index", "upsert", "upsert"),
    Target("pinecone", "Index", "fetch", "fetch"),
    Target("pinecone", "Index", "delete", "delete"),
    Target(_ASYNC_INDEX, "AsyncIndex", "query", "query", is_async=True, min_version=(10,)),
    Target(_ASYNC_INDEX, "AsyncIndex", "upsert", "upsert", is_async=True, min_version=(10,)),
    Target(_ASYNC_INDEX, "AsyncIndex", "fetch", "fetch", is_async=True, min_version=(10,)),
    Target(_ASYNC_INDEX, "AsyncIndex", "delete", "delete", is_async=True, min_version=(10,)),
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
    if not isinstance(host, str):  # older clients keep it in their config
        host = getattr(getattr(index, "_config", None), "host", None)
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
