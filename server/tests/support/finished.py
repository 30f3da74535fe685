"""Waiting for a request to be over, background tasks included.

A response reaches the client before its background tasks run (emails are sent after the
response). The server's access-log line for a request is written once the whole ASGI call has
returned, background tasks included (observability/middleware.py), and carries the request's id
(the `X-Request-ID` header of its response). So a test that checks that something did *not*
happen after a request (no email) waits for that line rather than sleeping.
"""

from __future__ import annotations

import httpx

from llmobserve_server.observability.logs import ACCESS_LOGGER
from llmobserve_server.observability.request_context import REQUEST_ID_HEADER
from llmobserve_server.testing import RunningServer


def wait_until_finished(server: RunningServer, response: httpx.Response) -> None:
    """Until the request that `response` answers, and its background tasks, have finished on
    `server` (whose access log is on, as `run_server` starts it)."""
    request_id = response.headers[REQUEST_ID_HEADER]
    server.wait_for_log(f"[{request_id}] {ACCESS_LOGGER}:")
