"""Calling back when an object is garbage-collected: what `weakref.finalize` does, for a tenth of
its cost (it runs on every streamed call).

The weak references are held in a module-level set, so that a callback still runs when the
object dies in a reference cycle (the garbage collector skips the callbacks of weak references
that are themselves garbage).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

_pending: set[weakref.ref[Any]] = set()


def when_collected(target: object, callback: Callable[[], None]) -> weakref.ref[Any]:
    """Call `callback()` once `target` is garbage-collected, unless `forget(ref)` is called
    first. Returns the weak reference (which also gives `target` while it lives)."""

    def collected(reference: weakref.ref[Any]) -> None:
        if reference in _pending:
            _pending.discard(reference)
            callback()

    reference = weakref.ref(target, collected)
    _pending.add(reference)
    return reference


def forget(reference: weakref.ref[Any]) -> None:
    """No callback for this reference any more."""
    _pending.discard(reference)
