"""Per request: its id, its duration, one access log line and the HTTP metrics.

Pure ASGI (not `BaseHTTPMiddleware`): nothing is buffered, and the work per request is a few
clock reads, two metric updates and one log line. The access log line carries the path without
its query string (which may hold a password-reset or invitation token) and never a header, so no
API key, cookie or password reaches the logs. Health checks and scrapes are logged at DEBUG.
"""

from __future__ import annotations

import logging
import time

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmobserve_server.observability.logs import ACCESS_LOGGER
from llmobserve_server.observability.metrics import (
    HTTP_REQUEST_DURATION,
    HTTP_REQUESTS,
    HTTP_REQUESTS_IN_PROGRESS,
)
from llmobserve_server.observability.request_context import (
    REQUEST_ID_HEADER,
    current_request_id,
    request_id_from,
)

access_logger = logging.getLogger(ACCESS_LOGGER)

_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_HEADER = REQUEST_ID_HEADER.encode("latin-1")


class RequestObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope["headers"]).get(_HEADER))
        # Each request runs in its own asyncio task, with its own copy of the context: the id
        # is not reset afterwards, so that an unhandled error logged by the outermost error
        # handler still carries it.
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        HTTP_REQUESTS_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            HTTP_REQUESTS_IN_PROGRESS.dec()
            duration = time.perf_counter() - started
            method = scope["method"]
            route = _route_template(scope)
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_REQUEST_DURATION.labels(method=method, route=route).observe(duration)
            _log_access(scope, request_id, status, duration)


def _route_template(scope: Scope) -> str:
    """`/v1/runs/{run_id}` rather than the path itself, so that labels stay few. A request that
    a middleware answered before routing (e.g. 413) is matched here; anything else is
    `unmatched`."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                route = candidate
                break
    return str(getattr(route, "path", None) or "unmatched")


def _log_access(scope: Scope, request_id: str, status: int, duration: float) -> None:
    path = scope["path"]
    if status >= 500:
        level = logging.ERROR
    elif path in _QUIET_PATHS:
        level = logging.DEBUG
    else:
        level = logging.INFO
    if not access_logger.isEnabledFor(level):
        return
    client = scope.get("client")
    client_ip = client[0] if client else None
    duration_ms = round(duration * 1000, 1)
    account_id = scope.get("state", {}).get("account_id")
    access_logger.log(
        level,
        '%s "%s %s" %s %.1fms',
        client_ip or "-",
        scope["method"],
        path,
        status,
        duration_ms,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "client_ip": client_ip,
            "account_id": account_id,
        },
    )
