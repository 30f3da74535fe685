"""The request id and the account of the request being served, for logs and responses.

An incoming `X-Request-ID` (from a load balancer or the client) is kept when it is short and made
of safe characters, so that one id follows a request through every hop; anything else is
replaced by a new random id, so that a client can neither inject text into the logs nor make
them ambiguous.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.requests import Request

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")

# Set by the middleware for the request's asyncio task; FastAPI's worker threads get a copy of
# the context, so logs written while handling the request carry its id wherever they are written.
current_request_id: ContextVar[str | None] = ContextVar("llmobserve_request_id", default=None)


def request_id_from(header: bytes | None) -> str:
    """The incoming id when it is acceptable, else a new one."""
    if header is not None:
        candidate = header.decode("latin-1")
        if _SAFE_REQUEST_ID.fullmatch(candidate):
            return candidate
    return uuid.uuid4().hex


def remember_account(request: Request, account_id: uuid.UUID) -> None:
    """Note who the request acts for, for its access log line (set where auth succeeds)."""
    request.state.account_id = str(account_id)
