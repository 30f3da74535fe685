"""Patching provider libraries: each integration lists the methods it wraps as data (`Target`),
and one loop applies them.

The rules (sentry-python's and langfuse's habits):

* a library that is not installed is a quiet no-op; one older than the integration's minimum
  version gets ONE warning and is left alone;
* patching is idempotent: a method already wrapped by llmobserve is not wrapped again, so `init()`
  twice does not double-record;
* a library is patched all or nothing: if any of its targets cannot be found or wrapped, the ones
  already wrapped are put back, a warning is logged, and the library is exactly as it was;
* `unpatch_all()` puts every original method back (where nobody wrapped it after us).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llmobserve._log import logger, warn_once

Method = Callable[..., Any]
Version = tuple[int, ...]

_ORIGINAL = "__llmobserve_original__"  # set on every wrapper: the method it wraps


@dataclass(frozen=True)
class Target:
    """One method to wrap: `module.cls.method`, which performs an `operation` (the event's
    operation: chat, completion, embedding, responses, query, ...)."""

    module: str
    cls: str
    method: str
    operation: str
    is_async: bool = False
    min_version: Version = ()  # skipped quietly on older versions of the library (not there yet)
    # skipped quietly from this version on (where the method is gone, or reaches another target)
    before_version: Version | None = None


@dataclass(frozen=True)
class Library:
    """An integration: the library it patches, the oldest version it supports, its targets and
    the function that builds a wrapper for a target from the original method."""

    name: str  # import name and distribution name
    min_version: Version
    targets: Sequence[Target]
    wrap: Callable[[Method, Target], Method]


@dataclass(frozen=True)
class _Patch:
    owner: type
    method: str
    original: Method
    wrapper: Method


_lock = threading.Lock()
_applied: list[_Patch] = []


def patch_library(library: Library) -> bool:
    """Wrap every target of `library` (once). True if the library is (now) instrumented."""
    with _lock:
        try:
            module = importlib.import_module(library.name)
        except ImportError:
            logger.debug("llmobserve: %s is not installed; not instrumented.", library.name)
            return False
        except Exception as exc:  # a broken installation must not break init()
            warn_once(
                f"import:{library.name}",
                "llmobserve: importing %s failed (%s); it is not instrumented.",
                library.name,
                exc,
            )
            return False
        version = installed_version(library.name, module)
        if version is not None and version < library.min_version:
            warn_once(
                f"version:{library.name}",
                "llmobserve: %s %s is older than %s, the oldest version llmobserve supports; "
                "it is not instrumented. Upgrade it to record its costs.",
                library.name,
                ".".join(map(str, version)),
                ".".join(map(str, library.min_version)),
            )
            return False
        done: list[_Patch] = []
        try:
            for target in library.targets:
                if version is not None and not _in_range(version, target):
                    continue
                patch = _apply(target, library.wrap)
                if patch is not None:
                    done.append(patch)
        except Exception as exc:
            for patch in reversed(done):
                setattr(patch.owner, patch.method, patch.original)
            warn_once(
                f"patch:{library.name}",
                "llmobserve: could not instrument %s %s (%s); it is left as it was and its calls "
                "are not recorded.",
                library.name,
                ".".join(map(str, version or ())),
                exc,
            )
            return False
        _applied.extend(done)
        return True


def _apply(target: Target, wrap: Callable[[Method, Target], Method]) -> _Patch | None:
    """Wrap one target; None if llmobserve wrapped it already. Raises if it is not there."""
    module = importlib.import_module(target.module)
    owner = getattr(module, target.cls)
    if not isinstance(owner, type):
        raise TypeError(f"{target.module}.{target.cls} is not a class")
    current = owner.__dict__.get(target.method)
    if not callable(current):
        raise AttributeError(f"{target.module}.{target.cls} has no method {target.method!r}")
    if is_wrapped(current):
        return None
    wrapper = wrap(current, target)
    setattr(wrapper, _ORIGINAL, current)
    setattr(owner, target.method, wrapper)
    return _Patch(owner, target.method, current, wrapper)


def is_wrapped(method: object) -> bool:
    """Whether `method` is an llmobserve wrapper (or a wrapper of one made with functools.wraps,
    which copies the marker)."""
    return getattr(method, _ORIGINAL, None) is not None


def unpatch_all() -> None:
    """Put back every original method that is still wrapped by llmobserve."""
    with _lock:
        while _applied:
            patch = _applied.pop()
            if patch.owner.__dict__.get(patch.method) is patch.wrapper:
                setattr(patch.owner, patch.method, patch.original)
            else:  # someone wrapped our wrapper: taking ours out would drop theirs
                logger.debug(
                    "llmobserve: %s.%s was wrapped again after us; left in place.",
                    patch.owner.__qualname__,
                    patch.method,
                )


def _after_fork_in_child() -> None:
    """A forked child must not inherit the lock held by a thread of the parent that is gone
    (llmobserve._client re-creates its own lock the same way)."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def installed_version(name: str, module: object) -> Version | None:
    """The installed version of a library as integers, e.g. (3, 57, 0); None if unknown."""
    try:
        text = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        text = str(getattr(module, "__version__", ""))
    return parse_version(text)


def parse_version(text: str) -> Version | None:
    """'3.57.0' -> (3, 57, 0); '1.2.3rc1' -> (1, 2, 3); None if it starts with no number."""
    found = re.match(r"\d+(?:\.\d+)*", text.strip())
    if found is None:
        return None
    return tuple(int(part) for part in found.group().split("."))


def _in_range(version: Version, target: Target) -> bool:
    """Whether `target` is patched on this version of its library."""
    if version < target.min_version:
        return False
    return target.before_version is None or version < target.before_version
