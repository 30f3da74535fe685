"""llmobserve 0.3's module `llmobserve.middleware`, kept so that its imports and Django's
`MIDDLEWARE = ["llmobserve.middleware.django_middleware"]` work unchanged (each warns when used;
see llmobserve.integrations.web for the replacements)."""

from __future__ import annotations

from llmobserve.compat._web import ObservabilityMiddleware, django_middleware, flask_before_request

__all__ = ["ObservabilityMiddleware", "django_middleware", "flask_before_request"]
