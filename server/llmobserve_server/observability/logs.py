"""Logging for `serve`: one line per record on stdout, JSON or text, each with its request id.

JSON lines carry `timestamp` (UTC, ISO 8601), `level`, `logger`, `message`, `request_id` (inside a
request) and the record's extra fields (the access log adds `method`, `path`, `status`,
`duration_ms`, `client_ip`, `account_id`); an exception adds `exc_info`. No line carries a token
or an API key: `observability.redaction` rewrites them on the handler. The same configuration
is handed to uvicorn, so its own messages (start, shutdown, errors) come out the same way, in
every worker. uvicorn's access log is off: `observability.middleware` writes a richer one.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from llmobserve_server.observability.redaction import RedactSecretsFilter
from llmobserve_server.observability.request_context import current_request_id

ACCESS_LOGGER = "llmobserve.access"


class RequestContextFilter(logging.Filter):
    """Adds `request_id` to records written while a request is being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = current_request_id.get()
            if request_id is not None:
                record.request_id = request_id
        return True


class JsonFormatter(OrjsonFormatter):
    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            # uvicorn adds a colourised copy of its messages for terminals
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
            defaults={"request_id": "-"},
        )


def logging_config(*, json_lines: bool, level: str, access_log: bool = True) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary (plain data, so that uvicorn can pass it to its
    worker processes). Without `access_log`, only failed requests (5xx) get an access line."""
    formatter = JsonFormatter if json_lines else TextFormatter
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {"()": f"{__name__}.RequestContextFilter"},
            "redact_secrets": {"()": f"{RedactSecretsFilter.__module__}.RedactSecretsFilter"},
        },
        "formatters": {"default": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
                "filters": ["request_context", "redact_secrets"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "alembic.runtime.plugins": {"level": "WARNING"},  # a line per plugin at each start
            ACCESS_LOGGER: {"handlers": [], "level": level if access_log else "WARNING"},
        },
    }
