"""0.3's web helpers: `ObservabilityMiddleware` (ASGI), `flask_before_request`,
`django_middleware`, as llmobserve.integrations.web's middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmobserve._carry import set_context
from llmobserve._context import new_id
from llmobserve._log import capture_internal_errors
from llmobserve.compat._warning import deprecated
from llmobserve.integrations.web import ASGIMiddleware


class ObservabilityMiddleware(ASGIMiddleware):
    """0.3's ASGI middleware (`app.add_middleware(ObservabilityMiddleware)`): a run per request,
    the customer from `X-Customer-ID`. Now `llmobserve.integrations.web.ASGIMiddleware`."""

    def __init__(
        self, app: Any, auto_run_id: bool = True, customer_header: str = "X-Customer-ID"
    ) -> None:
        deprecated("ObservabilityMiddleware", "llmobserve.integrations.web.ASGIMiddleware")
        super().__init__(app, customer_header=customer_header)


def flask_before_request() -> None:
    """0.3's Flask hook (`app.before_request(flask_before_request)`): a new run per request.
    Now `app.wsgi_app = llmobserve.integrations.web.WSGIMiddleware(app.wsgi_app)`."""
    deprecated(
        "flask_before_request", "app.wsgi_app = llmobserve.integrations.web.WSGIMiddleware(...)"
    )
    with capture_internal_errors():
        set_context(run_id=new_id(), span_id=None, customer_id=None, section=None, agent=None)


def django_middleware(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """0.3's Django middleware: a new run per request, the customer from `X-Customer-ID`. Now
    `application = llmobserve.integrations.web.WSGIMiddleware(application)` in wsgi.py."""
    deprecated("django_middleware", "llmobserve.integrations.web.WSGIMiddleware (wsgi.py)")

    def middleware(request: Any) -> Any:
        with capture_internal_errors():
            customer = getattr(request, "headers", {}).get("X-Customer-ID")
            set_context(
                run_id=new_id(),
                span_id=None,
                customer_id=customer if isinstance(customer, str) and customer else None,
                section=None,
                agent=None,
            )
        return get_response(request)

    return middleware
