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
from llmobserve import _values as values
from llmobserve._config import Options, resolve
from llmobserve._exceptions import (
    AuthenticationError,
    CollectorError,
    CollectorUnreachableError,
    NotConfiguredError,
)
from llmobserve._hints import answer_problem
from llmobserve._log import capture_internal_errors, logger, reset_after_fork
from llmobserve._worker import Worker

_lock = threading.RLock()
_worker: Worker | None = None  # the active worker; None while the SDK is off
_last_worker: Worker | None = None  # for stats() after shutdown
_atexit_registered = False
_debug_handler: logging.Handler | None = None

_ZERO_STATS = dict.fromkeys(
    ("sent", "duplicates", "rejected", "failed", "dropped", "retried", "queued", "recorded"), 0
)


def active_worker() -> Worker | None:
    """The worker events go to, or None when the SDK is off (the integrations' fast path)."""
    return _worker


def init(api_key: str | None = None, collector_url: str | None = None, **options: Any) -> None:
    """Start the SDK: instrument the installed provider libraries and send their costs.

    Call it once, at start-up. The `openai`, `anthropic` and `pinecone` libraries that are
    installed are patched, and a background thread starts sending events in batches. Calling it
    again reconfigures the SDK: the previous worker delivers what it holds, then ends; calling it
    with the same configuration does nothing.

    Without a key (argument or `LLMOBSERVE_API_KEY`), or with `LLMOBSERVE_ENABLED=false`, it logs
    ONE warning on the `llmobserve` logger and leaves the application untouched. It never raises:
    a mistyped option is ignored with a warning.

    Args:
        api_key: The API key (`llmo_sk_…`); default: `LLMOBSERVE_API_KEY`.
        collector_url: The server; default: `LLMOBSERVE_COLLECTOR_URL`, else
            `https://api.llmobserve.com`.
        **options: Keyword-only tuning: `max_queue_size` (10000), `batch_size` (100),
            `flush_interval` (1.0 s), `shutdown_timeout` (2.0 s), `request_timeout` (5.0 s),
            `max_retries` (8), `retry_backoff` (0.5 s), `debug` (False), and `providers`:
            the provider of OpenAI-compatible servers by URL, e.g.
            `{"https://llm.internal:8000": "vllm"}` (see docs/sdk/providers.md).

    Example:
        ```python
        import llmobserve

        llmobserve.init()  # LLMOBSERVE_API_KEY and LLMOBSERVE_COLLECTOR_URL from the environment
        llmobserve.init(api_key="llmo_sk_...", collector_url="http://127.0.0.1:8000", batch_size=50)
        ```
    """
    global _worker, _last_worker, _atexit_registered
    with capture_internal_errors():
        api_key = values.text(api_key, "api_key", "init")
        collector_url = values.text(collector_url, "collector_url", "init")
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
    """Send everything recorded so far, and wait until the server has it.

    Use it at the end of a short script or a serverless handler, whose process may end (or
    freeze) before the background thread sends. A long-running service does not need it.

    Args:
        timeout: Seconds to wait at most; default: the `shutdown_timeout` option (2 s).

    Returns:
        True when every event recorded before the call was delivered (or definitively refused by
        the server); False when the timeout ran out first. True when the SDK is off.

    Example:
        ```python
        def handler(event, context):
            answer = handle(event)
            llmobserve.flush(timeout=2.0)
            return answer
        ```
    """
    with capture_internal_errors():
        worker = _worker
        if worker is None:
            return True
        default_wait = worker.options.shutdown_timeout
        return worker.flush(values.seconds(timeout, "timeout", "flush", default_wait))
    return False


def shutdown(timeout: float | None = None) -> None:
    """Deliver what is queued, then stop the SDK.

    It runs by itself at interpreter exit (and `flush` is enough before a process ends), so call
    it only to stop sending for good; `init()` starts the SDK again.

    Args:
        timeout: Seconds to wait for delivery at most; default: the `shutdown_timeout` option.
            Events still queued after it are dropped (and counted in `stats()["dropped"]`).
    """
    global _worker
    with capture_internal_errors():
        with _lock:
            worker, _worker = _worker, None
        if worker is not None:
            default_wait = worker.options.shutdown_timeout
            worker.shutdown(values.seconds(timeout, "timeout", "shutdown", default_wait))


def _shutdown_at_exit() -> None:
    shutdown()


def stats() -> dict[str, int]:
    """The counters of the current SDK client (or of the last one, after `shutdown()`).

    Returns:
        Counts of events: `sent` (accepted by the server), `duplicates` (a resend the server
        already had), `rejected` (refused one by one by the server), `failed` (given up after
        retries, or refused as a whole), `dropped` (never sent: full queue, refused key,
        shutdown, or a value the SDK could not use), `queued` (waiting now), `recorded` (every
        event recorded: the sum of the six before); and `retried` (requests sent again). All 0
        before `init()`.

    Example:
        ```python
        >>> llmobserve.stats()
        {'sent': 120, 'duplicates': 0, 'rejected': 0, 'failed': 0, 'dropped': 0, 'retried': 1,
         'queued': 3, 'recorded': 123}
        ```
    """
    with capture_internal_errors():
        worker = _worker or _last_worker
        if worker is not None:
            return worker.queue.snapshot()
    return dict(_ZERO_STATS)


def ping(timeout: float = 10.0) -> dict[str, Any]:
    """Check the API key and the server: who does the key belong to?

    The one SDK function that raises, since it is called on purpose (at start-up, or in a
    health check).

    Args:
        timeout: Seconds to wait for the answer.

    Returns:
        The answer of `GET /v1/ping`: `{"ok": True, "account": {"id", "name",
        "subscription_tier"}, "key": {"name", "prefix"}}`.

    Raises:
        NotConfiguredError: `init()` was not called with a key (or the SDK is disabled).
        CollectorUnreachableError: no answer from the server (DNS, connection, TLS, timeout).
        AuthenticationError: the server refused the key (401: unknown or revoked).
        CollectorError: the server answered with another error status.

    Example:
        ```python
        >>> llmobserve.ping()["account"]["name"]
        'Acme'
        ```
    """
    worker = _worker
    if worker is None:
        raise NotConfiguredError(
            "llmobserve is not initialized with a usable API key (init() logged why): call "
            "llmobserve.init(api_key=...) or set LLMOBSERVE_API_KEY first."
        )
    url = worker.options.collector_url
    wait = values.seconds(timeout, "timeout", "ping", 10.0)
    answer = _transport.get(url, "/v1/ping", worker.options.api_key, timeout=wait)
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
            answer_problem(url, answer.status, answer.body)
            or f"the collector at {url} answered HTTP {answer.status}: {answer.error_message()}",
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
