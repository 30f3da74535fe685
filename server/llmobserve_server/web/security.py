"""Security headers on every response, and a strict Content-Security-Policy on our pages.

No inline script or style may run: JavaScript lives in /static files and htmx is configured not
to inject its own <style> (see base.html's htmx-config meta). The API reference at /docs is
held to the same policy: it runs the vendored Swagger UI from /static (`web/api_docs.py`).

Every response also carries:
- `Strict-Transport-Security` when PUBLIC_URL is https (browsers then refuse plain http for two
  years; never sent for an http deployment, where it would be ignored or lock users out later);
- `Cache-Control: no-store` outside /static unless the route set its own: pages and API
  answers hold account data and one-time secrets (a new API key), which no shared or browser
  cache may keep;
- `Cross-Origin-Opener-Policy: same-origin` and a `Permissions-Policy` turning off powerful
  features nothing here uses.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=63072000; includeSubDomains"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def page_headers() -> dict[str, str]:
    """The headers every HTML page carries (error pages too, which bypass the middleware)."""
    return {**SECURITY_HEADERS, "Content-Security-Policy": CONTENT_SECURITY_POLICY}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = {**SECURITY_HEADERS, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
        if not scope["path"].startswith("/static/"):
            wanted["Cache-Control"] = "no-store"
        if self.hsts:
            wanted["Strict-Transport-Security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
