"""GET /metrics for Prometheus.

Metrics show a deployment's traffic and volumes, so access is explicit: with `METRICS_TOKEN` set,
a scrape must send `Authorization: Bearer <token>`; without it /metrics is open in development
and off (404) in production. Errors are answered here rather than raised, so that they stay
JSON (the dashboard renders errors outside the API's paths as pages).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from llmobserve_server.accounts.tokens import digests_match
from llmobserve_server.errors import error_response
from llmobserve_server.observability.metrics import exposition

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if settings.metrics_token is None:
        if settings.production:
            return error_response(404, "metrics_disabled", "Set METRICS_TOKEN to turn /metrics on.")
    else:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        expected = settings.metrics_token.get_secret_value()
        if scheme.lower() != "bearer" or not digests_match(expected, sent.strip()):
            return error_response(
                401,
                "invalid_metrics_token",
                "Send METRICS_TOKEN as `Authorization: Bearer <token>`.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    body, content_type = exposition()
    return Response(body, media_type=content_type)
