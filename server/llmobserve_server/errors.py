"""HTTP errors, and the one place domain refusals become HTTP: the JSON shape every error takes.

    DomainError (domain_errors)  raised by domain packages; kind + code + message, no status
      └─ http_status_of          the one mapping from a kind of refusal to its status
    ApiError                     raised by HTTP-layer code (api/, web/, request bodies)
      └─ both rendered as        {"error": {"code": "...", "message": "..."}}

FastAPI's own errors (validation, 404 for unknown routes, 405) are rendered in the same shape.
Browser routes render the same exceptions as pages instead (`web/errors.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from llmobserve_server.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    Malformed,
    NotFound,
    Throttled,
    Unauthorized,
)

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


_DOMAIN_STATUSES: dict[type[DomainError], int] = {
    Malformed: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    Invalid: 422,
    Throttled: 429,
}


def http_status_of(exc: DomainError) -> int:
    """The status a domain refusal is answered with (400 for a kind this table does not know)."""
    for kind in type(exc).__mro__:
        if kind in _DOMAIN_STATUSES:
            return _DOMAIN_STATUSES[kind]
    return 400


def http_headers_of(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, Throttled):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def describe_validation_errors(errors: Sequence[Any], *, subject: str = "body") -> str:
    """One readable line per problem, e.g. `email: value is not a valid email address`.
    A problem with the whole object (no field) is labelled with `subject`."""
    parts = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        if error.get("type") == "json_invalid":
            parts.append("The body is not valid JSON.")
            continue
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or subject
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is invalid."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(http_status_of(exc), exc.code, exc.message, http_headers_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", describe_validation_errors(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "No such endpoint."
        return error_response(exc.status_code, code, message, exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side.")
