"""A cap on request bodies for every endpoint, so that no request can make the server buffer an
unbounded body. `/v1/events` allows the wire format's 5 MB (its decoded size is checked again
while inflating gzip, in `ingest.body`)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmobserve_server.errors import error_response
from llmobserve_server.ingest.schema import MAX_DECODED_BODY_BYTES

DEFAULT_LIMIT = 64 * 1024
_LIMITS = {"/v1/events": MAX_DECODED_BODY_BYTES}


def _message(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"The request body is larger than {limit // (1024 * 1024)} MB. Send smaller batches."
    return f"The request body is larger than {limit // 1024} KB."


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
            response = error_response(413, "payload_too_large", _message(limit))
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
                    # rendered by the app's error handler as a 413 in the usual JSON shape.
                    raise HTTPException(413, _message(limit))
            return message

        await self.app(scope, limited_receive, send)
