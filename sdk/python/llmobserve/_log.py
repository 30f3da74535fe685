"""The SDK's logger, and the net that keeps the SDK's own errors out of the host application.

Every public entry point (except `ping`) runs its body under `capture_internal_errors()`: an
exception is logged at debug level and swallowed. Tests turn swallowed errors into failures with
`set_debug_errors_hook` (sentry-python's habit), so a bug cannot hide behind the net.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger("llmobserve")

# Tests set this to a callable that records the exception (see tests/conftest.py).
_debug_errors: Callable[[BaseException], None] | None = None

_warned: set[str] = set()
_warned_lock = threading.Lock()


def set_debug_errors_hook(hook: Callable[[BaseException], None] | None) -> None:
    """Call `hook` with every internal error the SDK swallows (for tests); None turns it off."""
    global _debug_errors
    _debug_errors = hook


def report_internal_error(exc: BaseException) -> None:
    """Log an SDK bug at debug level (never louder: it must not spam the host's logs)."""
    logger.debug("llmobserve internal error (ignored)", exc_info=exc)
    hook = _debug_errors
    if hook is not None:
        hook(exc)


@contextmanager
def capture_internal_errors() -> Iterator[None]:
    """Swallow and report any exception raised by the SDK's own code inside the block."""
    try:
        yield
    except Exception as exc:
        report_internal_error(exc)


def warn_once(key: str, message: str, *args: object, level: int = logging.WARNING) -> None:
    """Log `message` the first time `key` is seen (until `forget_warning(key)`)."""
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.log(level, message, *args)


def forget_warning(*prefixes: str) -> None:
    """Let warnings whose key starts with one of `prefixes` be logged again."""
    with _warned_lock:
        for key in [k for k in _warned if k.startswith(prefixes)]:
            _warned.discard(key)


def reset_after_fork() -> None:
    """A forked child must not inherit a lock that another thread held at fork time."""
    global _warned_lock
    _warned_lock = threading.Lock()
