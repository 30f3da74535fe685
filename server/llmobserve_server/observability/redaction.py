"""Keeping secrets out of log lines: tokens in URLs and API keys are replaced by `[redacted]`.

Invitation links carry their token in the path (`/invitations/<token>`), reset and verification
links in the query (`?token=…`); whoever reads a log must not be able to use them. The filter
sits on the log handler, so every line we write goes through it: the access log, our loggers,
uvicorn's, and the emails the console transport prints when no SMTP_URL is set.

    >>> redact("GET /invitations/q8Zk3vS0pY1wF2mE7tLr9aXo4bHc6dNi5uJj0gKe_-A/accept")
    'GET /invitations/[redacted]/accept'
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_PATTERNS = (
    # A path segment after /invitations/ (the invitation's token).
    (re.compile(r"(/invitations/)(?!\[redacted\])[^/?#\s\"']+"), rf"\g<1>{REDACTED}"),
    # token=… in a query string or a form body (password resets, email verification).
    (re.compile(r"((?:^|[?&;\s])(?:token|invitation)=)[^&#\s\"']+"), rf"\g<1>{REDACTED}"),
    # API keys, wherever they appear.
    (re.compile(r"(llmo_sk_)[A-Za-z0-9_\-]{8,}"), rf"\g<1>{REDACTED}"),
)

_TRACEBACKS = logging.Formatter()  # renders exc_info as every formatter would

# Record attributes that may hold a URL path (the access log's extra fields).
_PATH_FIELDS = ("path", "url")


def redact(text: str) -> str:
    """`text` with every token and API key replaced by `[redacted]`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message, its path fields, its traceback and its stack with
    `redact`. The message is rendered once here, so `%s` arguments are covered too.

    A traceback can quote a secret (an exception's message, a URL in a failed request): it is
    rendered here too, redacted, and kept as `exc_text` in place of `exc_info`, which both the
    text and the JSON formatters print as they would have printed the exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for field in _PATH_FIELDS:
            value = getattr(record, field, None)
            if isinstance(value, str):
                setattr(record, field, redact(value))
        if record.exc_info:
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
