"""Refusing U+0000 (NUL) in a request's path and query string, for every endpoint.

No text this app stores or looks up may contain NUL: PostgreSQL cannot store it in a text column
nor compare a column with it (psycopg refuses such a parameter), so a NUL that reached a query
would be a 500. Browsers never send one; a request that does gets a 400 that says so, in the JSON
error shape under the API and as a readable page on the dashboard. Form fields are checked when
the form is read (`web.csrf.read_form`), JSON bodies by their models (`api.text.Text`), and
events by the ingest validation (one rejected event, not the whole batch).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from llmobserve_server.errors import error_response
from llmobserve_server.web.errors import error_page, is_page_path

MESSAGE = (
    "The address contains a NUL character (%00), which no name, id or filter can hold. "
    "Remove it and try again."
)


def has_nul(text: str) -> bool:
    return "\x00" in text


def _refusal(scope: Scope) -> Response:
    if is_page_path(scope["path"]):
        return error_page(Request(scope), 400, MESSAGE)
    return error_response(400, "invalid_text", MESSAGE)


class NulRefusalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (has_nul(scope["path"]) or b"%00" in scope["query_string"]):
            await _refusal(scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)
