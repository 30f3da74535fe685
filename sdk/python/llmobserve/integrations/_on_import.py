"""Instrumenting a library when the application imports it, never before: `init()` must not
import a library the application has not imported (each costs start-up time and memory, some
tens of MB, and may have import-time side effects).

    when_imported("openai", patch)  # now if openai is imported, else right after it is

A library that is not imported yet is watched by a finder at the front of `sys.meta_path`: when
the application imports it, the finder finds it as Python would (asking the finders after it) and
hooks the module's own loader (an attribute of that loader instance: its type, the module's
`__loader__` and `__spec__` are the ones Python would have set), so that the callbacks run right
after the module has executed, before the `import` statement returns. A callback's error is
logged, never raised into the application's import.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

from llmobserve._log import logger

Callback = Callable[[], None]

_lock = threading.Lock()
_waiting: dict[str, list[Callback]] = {}


def when_imported(name: str, callback: Callback) -> bool:
    """Run `callback()` now if the top-level module `name` is imported (True), else right after
    the application imports it (False)."""
    if name not in sys.modules:
        with _lock:
            _waiting.setdefault(name, []).append(callback)
            if _FINDER not in sys.meta_path:
                sys.meta_path.insert(0, _FINDER)
        if name not in sys.modules:  # imported meanwhile, by another thread: run it below
            return False
        _run(name)
        return True
    callback()
    return True


def waiting() -> list[str]:
    """The libraries whose import is awaited."""
    with _lock:
        return sorted(_waiting)


def forget_all() -> None:
    """Stop waiting for any import (`unpatch_all`)."""
    with _lock:
        _waiting.clear()
        if _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)


def _run(name: str) -> None:
    with _lock:
        callbacks = _waiting.pop(name, [])
        if not _waiting and _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:  # never the application's import's problem
            logger.warning("llmobserve: instrumenting %s on its import failed: %s", name, exc)


class _Finder:
    """Finds nothing itself: hooks the loader of a watched module that the others find."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _waiting:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader: Any = spec.loader
        original = getattr(loader, "exec_module", None)
        if original is None:
            return spec

        def exec_module(module: ModuleType) -> None:
            try:
                original(module)
            finally:
                try:
                    del loader.exec_module  # the instance attribute: the class's again
                except AttributeError:
                    pass
            _run(fullname)

        try:
            loader.exec_module = exec_module
        except (AttributeError, TypeError):  # a loader without instance attributes
            return spec
        return spec

    def invalidate_caches(self) -> None:
        pass


_FINDER = _Finder()
