"""Web frameworks: each request is a run (or continues the caller's run), with its customer.

`ASGIMiddleware` (FastAPI, Starlette, Django's ASGI) and `WSGIMiddleware` (Flask, Django's WSGI,
any WSGI app) open a span per HTTP request: when the request carries a context
(`llmobserve.inject_headers()` on the calling side: `x-llmobserve-*` or W3C `traceparent`) it is
a `request` span of the caller's run, otherwise a run of its own named `METHOD /path`. The
customer comes from a header (`X-Customer-ID` by default; None turns it off) or from your
`customer_from(request)` function, given the ASGI scope or the WSGI environ.

    app.add_middleware(llmobserve.integrations.web.ASGIMiddleware)              # FastAPI
    flask_app.wsgi_app = llmobserve.integrations.web.WSGIMiddleware(flask_app.wsgi_app)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from llmobserve._carry import extract_headers, set_context
from llmobserve._events import clip
from llmobserve._jobs import JobSpan
from llmobserve._log import capture_internal_errors, warn_once

CustomerFrom = Callable[[Mapping[str, Any]], Any]


class ASGIMiddleware:
    """Each HTTP request to the wrapped ASGI app is a run (see the module's docstring)."""

    def __init__(
        self,
        app: Any,
        customer_header: str | None = "X-Customer-ID",
        customer_from: CustomerFrom | None = None,
    ) -> None:
        self.app = app
        self.customer_header = customer_header
        self.customer_from = customer_from

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not isinstance(scope, dict) or scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        span = _open(
            scope,
            scope.get("headers") or [],
            f"{scope.get('method', 'GET')} {scope.get('path', '/')}",
            self.customer_header,
            self.customer_from,
        )
        try:
            await self.app(scope, receive, send)
        except BaseException as exc:
            span.end(exc)
            raise
        span.end(None)


class WSGIMiddleware:
    """Each request to the wrapped WSGI app is a run (see the module's docstring). The span
    ends when the app returns its response iterable."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        customer_header: str | None = "X-Customer-ID",
        customer_from: CustomerFrom | None = None,
    ) -> None:
        self.app = app
        self.customer_header = customer_header
        self.customer_from = customer_from

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers: list[tuple[str, str]] = []
        with capture_internal_errors():
            headers = [
                (key[5:].replace("_", "-"), value)
                for key, value in environ.items()
                if key.startswith("HTTP_") and isinstance(value, str)
            ]
        name = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        span = _open(environ, headers, name, self.customer_header, self.customer_from)
        try:
            result = self.app(environ, start_response)
        except BaseException as exc:
            span.end(exc)
            raise
        span.end(None)
        return result


def _open(
    request: Mapping[str, Any],
    headers: Any,
    name: str,
    customer_header: str | None,
    customer_from: CustomerFrom | None,
) -> JobSpan:
    span = JobSpan(name, extract_headers(headers), operation="request")
    with capture_internal_errors():
        customer = None
        if customer_from is not None:
            try:
                customer = customer_from(request)
            except Exception as exc:  # the application's function: its error, not ours
                warn_once(
                    "customer_from",
                    "llmobserve: customer_from raised %r; requests are recorded without a "
                    "customer while it does.",
                    exc,
                )
        elif customer_header:
            wanted = customer_header.lower()
            pairs = headers if isinstance(headers, list) else []
            for key, value in pairs:
                key = key.decode("latin-1") if isinstance(key, bytes) else key
                if isinstance(key, str) and key.lower() == wanted:
                    customer = value.decode("latin-1") if isinstance(value, bytes) else value
                    break
        customer = clip("customer_id", customer) if isinstance(customer, str) else None
        if customer:
            set_context(customer_id=customer)
    return span
