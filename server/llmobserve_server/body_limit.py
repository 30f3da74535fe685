"""A cap on request bodies for every endpoint, so that no request can make the server buffer an
unbounded body. `/v1/events` allows the wire format's 5 MB (its decoded size is checked again
while inflating gzip, in `ingest.body`).

A body whose Content-Length is over the limit is refused at once, whatever the endpoint, with a
413 in the JSON error shape under the API and as a readable page on the dashboard. A chunked body
is counted as it is read, and the read that crosses the limit raises a 413 `HTTPException`, which
the app's error handlers render the same two ways.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmobserve_server.errors import error_response
from llmobserve_server.ingest.schema import MAX_DECODED_BODY_BYTES
from llmobserve_server.web.errors import error_page, is_page_path

DEFAULT_LIMIT = 64 * 1024
_LIMITS = {"/v1/events": MAX_DECODED_BODY_BYTES, "/otlp/v1/traces": MAX_DECODED_BODY_BYTES}


def _message(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"The request body is larger than {limit // (1024 * 1024)} MB. Send smaller batches."
    return f"The request body is larger than {limit // 1024} KB."


def _refusal(scope: Scope, message: str) -> Response:
    if is_page_path(scope["path"]):
        return error_page(Request(scope), 413, message)
    return error_response(413, "payload_too_large", message)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _LIMITS.get(scope["path"], DEFAULT_LIMIT)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = _refusal(scope, _message(limit))
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException travels through FastAPI's body parsing untouched and is
                    # rendered by the app's error handlers (JSON for the API, a page for forms).
                    raise HTTPException(413, _message(limit))
            return message

        await self.app(scope, limited_receive, send)
