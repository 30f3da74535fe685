"""What the domain says when it refuses: exceptions that name the kind of refusal, not a status.

The layering, from the inside out:

    DomainError(code, message)       raised by domain packages (accounts/, billing/, analytics/,
      ├─ Invalid(field=…)            pricing/, audit/, …); `code` is the stable machine-readable
      ├─ Malformed                   name users and clients see, `message` the sentence shown
      ├─ NotFound                    to them
      ├─ Conflict
      ├─ Forbidden
      ├─ Unauthorized
      ├─ Gone
      └─ Throttled(retry_after=…)
    ApiError(status, code, message)  raised by HTTP-layer code only (api/, web/, request bodies)

One place turns a DomainError into HTTP: `llmobserve_server.errors` gives each kind its status
(`http_status_of`) and renders the JSON error `{"error": {"code", "message"}}` for `/v1`;
`llmobserve_server.web.errors` renders the same exception as an error page on browser routes.
Page handlers that show a refusal inside a form catch `DomainError` and show `message` beside
the field (`Invalid.field` when the domain knows it).

This module imports nothing from HTTP, so the domain can raise without knowing it is served.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on: `code` for programs, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Invalid(DomainError):
    """A value the user gave breaks a rule (a weak password, an unknown role)."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


class Malformed(DomainError):
    """A token the client was meant to echo back unchanged (e.g. a page cursor) does not decode."""


class NotFound(DomainError):
    """The thing does not exist, or not in the caller's account (the two are not told apart)."""


class Conflict(DomainError):
    """The request is sound, but the current state forbids it (an email taken, the last owner)."""


class Forbidden(DomainError):
    """The caller is known but may not do this (not an owner, a disabled account)."""


class Unauthorized(DomainError):
    """The caller's credentials (password, API key) are wrong, unknown or revoked."""


class Gone(DomainError):
    """A link or token that once worked has expired or was already used."""


class Throttled(DomainError):
    """Too much, too fast (failed sign-ins, a month's event quota): try again in `retry_after`
    seconds."""

    def __init__(self, code: str, message: str, *, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after
