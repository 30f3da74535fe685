"""Closing a client library's object where the installed release can be closed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def closed_after(resource: T) -> Iterator[T]:
    """Yield `resource` (from a fixture), then close it: pinecone's clients have `close()` (and
    are context managers) only in newer releases, not in pinecone 5."""
    yield resource
    close = getattr(resource, "close", None)
    if close is not None:
        close()
