"""The SDK's state: the one active client that `init()` creates, and the entry points that act
on it (flush, shutdown, stats, ping). Also what happens at exit and in a forked child."""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import threading
from typing import Any

from llmobserve import _transport
from llmobserve._config import Options, resolve
from llmobserve._exceptions import (
    AuthenticationError,
    CollectorError,
    CollectorUnreachableError,
    NotConfiguredError,
)
from llmobserve._log import capture_internal_errors, logger, reset_after_fork
from llmobserve._worker import Worker

_lock = threading.RLock()
_worker: Worker | None = None  # the active worker; None while the SDK is off
_last_worker: Worker | None = None  # for stats() after shutdown
_atexit_registered = False
_debug_handler: logging.Handler | None = None

_ZERO_STATS = dict.fromkeys(
    ("sent", "duplicates", "rejected", "failed", "dropped", "retried", "queued"), 0
)


def active_worker() -> Worker | None:
    """The worker events go to, or None when the SDK is off (the integrations' fast path)."""
    return _worker


def init(api_key: str | None = None, collector_url: str | None = None, **options: Any) -> None:
    """Start the SDK: instrument the installed provider libraries and send their costs.

    Without a key (argument or LLMOBSERVE_API_KEY), or with LLMOBSERVE_ENABLED=false, it logs
    ONE warning and leaves the application untouched. Calling it again reconfigures: the
    previous worker delivers what it holds and ends. Options (keyword-only): max_queue_size,
    batch_size, flush_interval, shutdown_timeout, request_timeout, max_retries, retry_backoff,
    debug. Example::

        import llmobserve
        llmobserve.init(api_key="llmo_sk_...")  # or export LLMOBSERVE_API_KEY=...
    """
    global _worker, _last_worker, _atexit_registered
    with capture_internal_errors():
        with _lock:
            resolved = resolve(api_key, collector_url, options)
            if resolved is not None and _worker is not None and _worker.options == resolved:
                return  # the same configuration again: nothing to do
            old, _worker = _worker, None
            if old is not None:
                old.stop_soon(old.options.shutdown_timeout)
            if resolved is None:
                return
            _configure_logging(resolved)
            worker = Worker(resolved)
            worker.start()
            _worker = _last_worker = worker
            if not _atexit_registered:
                atexit.register(_shutdown_at_exit)
                _atexit_registered = True
        _patch_integrations()
        logger.debug("llmobserve: sending to %s", resolved.collector_url)


def _patch_integrations() -> None:
    """Patch whichever provider libraries are installed (llmobserve.integrations.patch_all)."""
    try:
        integrations = importlib.import_module("llmobserve.integrations")
        patch_all = integrations.patch_all
    except (ImportError, AttributeError) as exc:
        logger.warning("llmobserve: integrations unavailable (%s); nothing patched.", exc)
        return
    try:
        patch_all()
    except Exception as exc:
        logger.warning("llmobserve: patching the provider libraries failed: %s", exc)


def flush(timeout: float | None = None) -> bool:
    """Send everything recorded so far; wait at most `timeout` seconds (default: the
    shutdown_timeout option). True when every event recorded before the call was delivered (or
    definitively refused by the collector). Example, at the end of a serverless handler::

        llmobserve.flush(timeout=2.0)
    """
    with capture_internal_errors():
        worker = _worker
        if worker is None:
            return True
        wait = worker.options.shutdown_timeout if timeout is None else max(0.0, timeout)
        return worker.flush(wait)
    return False


def shutdown(timeout: float | None = None) -> None:
    """Deliver what is queued (waiting at most `timeout` seconds, default: the shutdown_timeout
    option), then stop. Runs by itself at interpreter exit; `init()` starts the SDK again."""
    global _worker
    with capture_internal_errors():
        with _lock:
            worker, _worker = _worker, None
        if worker is not None:
            wait = worker.options.shutdown_timeout if timeout is None else max(0.0, timeout)
            worker.shutdown(wait)


def _shutdown_at_exit() -> None:
    shutdown()


def stats() -> dict[str, int]:
    """Event counters of the current (or last) client: `sent`, `duplicates`, `rejected`,
    `failed`, `dropped`, `queued` (events), and `retried` (requests sent again)::

        >>> llmobserve.stats()
        {'sent': 120, 'duplicates': 0, 'rejected': 0, 'failed': 0, 'dropped': 0, 'retried': 1,
         'queued': 3}
    """
    with capture_internal_errors():
        worker = _worker or _last_worker
        if worker is not None:
            return worker.queue.snapshot()
    return dict(_ZERO_STATS)


def ping(timeout: float = 10.0) -> dict[str, Any]:
    """Check the key and the collector: the answer of GET /v1/ping. The one SDK function that
    raises (an `LLMObserveError`), since it is called on purpose::

        >>> llmobserve.ping()["account"]["name"]
        'Acme'
    """
    worker = _worker
    if worker is None:
        raise NotConfiguredError(
            "llmobserve is not initialized with an API key: call llmobserve.init(api_key=...) "
            "or set LLMOBSERVE_API_KEY first."
        )
    url = worker.options.collector_url
    answer = _transport.get(url, "/v1/ping", worker.options.api_key, timeout=timeout)
    if answer.status is None:
        raise CollectorUnreachableError(f"cannot reach the collector at {url}: {answer.problem}")
    if answer.status == 401:
        raise AuthenticationError(
            f"the collector at {url} refused the API key: {answer.error_message()}",
            status=401,
            code=answer.error_code(),
        )
    try:
        body = answer.json() if 200 <= answer.status < 300 else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise CollectorError(
            f"the collector at {url} answered HTTP {answer.status}: {answer.error_message()}",
            status=answer.status,
            code=answer.error_code(),
        )
    return body


def _configure_logging(options: Options) -> None:
    """debug=True: the SDK's debug lines on stderr (unless the app configured the logger)."""
    global _debug_handler
    if options.debug:
        logger.setLevel(logging.DEBUG)
        if _debug_handler is None and not logger.handlers:
            _debug_handler = logging.StreamHandler()
            _debug_handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
            logger.addHandler(_debug_handler)
    elif _debug_handler is not None:
        logger.removeHandler(_debug_handler)
        logger.setLevel(logging.NOTSET)
        _debug_handler = None


def _after_fork_in_child() -> None:
    """A forked child gets a fresh queue and worker (started by its first event): it must not
    inherit the parent's queued events, a lock held at fork time or a thread that is gone."""
    global _lock, _worker, _last_worker
    _lock = threading.RLock()
    reset_after_fork()
    if _worker is not None:
        _worker = _last_worker = Worker(_worker.options)
    else:
        _last_worker = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
