"""Errors on browser routes are pages, not JSON; the API (`/v1`, docs, health) keeps its JSON.

The JSON handlers installed by `llmobserve_server.errors` stay in charge of API paths: each page
handler here falls back to the one it replaces.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from llmobserve_server.domain_errors import DomainError
from llmobserve_server.errors import ApiError, http_status_of
from llmobserve_server.web.redirects import safe_next, sign_in_url
from llmobserve_server.web.templating import is_htmx, render
from llmobserve_server.web.viewer import SignInRequired

logger = logging.getLogger(__name__)

_API_PREFIXES = (
    "/v1",
    "/otlp/",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/static",
)
_TITLES = {
    400: "That request did not look right",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    413: "Too large",
    422: "That request did not look right",
    429: "Too many attempts",
    500: "Something went wrong",
}
_MESSAGES = {
    404: "There is nothing at this address. Check the link, or go back to the dashboard.",
    405: "This address does not take that kind of request.",
    500: "Something went wrong on our side. Try again in a moment.",
}

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def is_page_path(path: str) -> bool:
    return not path.startswith(_API_PREFIXES)


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    if message is None or message in ("Not Found", "Method Not Allowed"):
        message = _MESSAGES.get(status, "The request could not be completed.")
    title = _TITLES.get(status, "Something went wrong")
    return render(request, "error.html", status=status, code=status, title=title, message=message)


def _sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    if is_htmx(request):  # a fragment (e.g. polling) whose session ended: reload the whole page
        parts = urlsplit(request.headers.get("hx-current-url", "/"))
        current = parts.path + (f"?{parts.query}" if parts.query else "")
        return Response(status_code=200, headers={"HX-Redirect": sign_in_url(safe_next(current))})
    if exc.first_visit:
        return RedirectResponse("/sign-up", status_code=303)
    return RedirectResponse(sign_in_url(exc.next_path), status_code=303)


def install_page_errors(app: FastAPI) -> None:
    json_handlers: dict[type[Exception], Handler] = {
        kind: app.exception_handlers[kind]
        for kind in (
            StarletteHTTPException,
            ApiError,
            DomainError,
            RequestValidationError,
            Exception,
        )
    }

    async def fallback(request: Request, exc: Exception, kind: type[Exception]) -> Response:
        result = json_handlers[kind](request, exc)
        return await result if isinstance(result, Awaitable) else result

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not is_page_path(request.url.path):
            return await fallback(request, exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        return error_page(request, exc.status_code, detail)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if not is_page_path(request.url.path):
            return await fallback(request, exc, ApiError)
        return error_page(request, exc.status, exc.message)

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        if not is_page_path(request.url.path):
            return await fallback(request, exc, DomainError)
        return error_page(request, http_status_of(exc), exc.message)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        if not is_page_path(request.url.path):
            return await fallback(request, exc, RequestValidationError)
        return error_page(request, 400, "Part of this address or form is invalid. Go back.")

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if not is_page_path(request.url.path):
            return await fallback(request, exc, Exception)
        logger.exception("unhandled error on a page", exc_info=exc)
        return error_page(request, 500)

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return _sign_in_redirect(request, exc)

    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(SignInRequired, on_sign_in_required)
