"""`Server-Timing: app;dur=<ms>` on every HTTP response: how long the application took from
receiving the request to starting its response (for a page: routing, queries and rendering).

Browsers show it in their developer tools and `bench/dashboard.py` reads it, so that a page's
server time is measured without the network or the client. Pure ASGI (not
`BaseHTTPMiddleware`): one clock read at each end and one header, nothing buffered.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"server-timing"


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((HEADER, b"app;dur=%.1f" % elapsed_ms))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)
