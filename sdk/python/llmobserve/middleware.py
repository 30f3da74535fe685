"""llmobserve 0.3's module `llmobserve.middleware`, kept so that its imports and Django's
`MIDDLEWARE = ["llmobserve.middleware.django_middleware"]` work unchanged (each warns when used;
see llmobserve.integrations.web for the replacements). It exports nothing new: `__all__` is
empty, so `from llmobserve.middleware import *` brings nothing in."""

from __future__ import annotations

from llmobserve.compat._web import ObservabilityMiddleware as ObservabilityMiddleware
from llmobserve.compat._web import django_middleware as django_middleware
from llmobserve.compat._web import flask_before_request as flask_before_request

__all__: list[str] = []
