"""What the server tells its operator: structured logs with request ids, Prometheus metrics.

    request_context   the request id (accepted from X-Request-ID or made) and the account
    logs              logging configuration: JSON lines or text, request id on every record
    metrics           the Prometheus metrics and their exposition (multiprocess-aware)
    db_pool           connection pool gauges, fed by SQLAlchemy pool events
    middleware        per request: id, timing, access log line, HTTP metrics
    redaction         the log filter that replaces tokens and API keys by [redacted]
    endpoint          GET /metrics, behind METRICS_TOKEN

Nothing here queries the database or does work per event: a request costs a few clock reads,
counter increments and one log line.
"""

from __future__ import annotations

from llmobserve_server.observability.db_pool import instrument_pool
from llmobserve_server.observability.endpoint import router as metrics_router
from llmobserve_server.observability.middleware import RequestObservabilityMiddleware
from llmobserve_server.observability.request_context import remember_account

__all__ = [
    "RequestObservabilityMiddleware",
    "instrument_pool",
    "metrics_router",
    "remember_account",
]
