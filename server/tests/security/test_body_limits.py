"""Every endpoint that takes a body refuses one over its limit with 413, before buffering it:
in the JSON error shape under /v1, as a readable page on the dashboard's forms."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from llmobserve_server.app import create_app
from llmobserve_server.body_limit import DEFAULT_LIMIT
from llmobserve_server.config import Settings
from tests.support.factories import SignedInUser, error_of

OVER = b"a=" + b"x" * DEFAULT_LIMIT
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
# /v1/events and /otlp/v1/traces have their own 5 MB limit, tested in test_ingest_limits.py and
# server/tests/otlp/test_traces_endpoint.py.
OWN_LIMIT = {"/v1/events", "/otlp/v1/traces"}


def api_routes(
    routes: Iterable[BaseRoute], prefix: str = "", nested_prefix: str = ""
) -> Iterator[tuple[str, APIRoute]]:
    """(path, route) of every endpoint, also in included routers (FastAPI keeps an included
    router as such: its own routes carry its prefix, routers included into it do not)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes, nested_prefix, nested_prefix + included.prefix)


SOME_ID = uuid.UUID("8d2e4f60-1b3c-4a7d-9e5f-0c6b2a4d8e13")  # fixed: test ids must not vary


def mutating_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that takes a body, path parameters filled with a UUID."""
    app = create_app(Settings(auto_migrate=False))
    found = set()
    for path, route in api_routes(app.routes):
        if path in OWN_LIMIT:
            continue
        for method in route.methods - {"GET", "HEAD", "OPTIONS"}:
            found.add((method, re.sub(r"\{[^}]+\}", str(SOME_ID), path)))
    return sorted(found, key=lambda found_route: (found_route[1], found_route[0]))


ROUTES = mutating_routes()


def chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


def test_the_routes_were_found() -> None:
    paths = {path for _method, path in ROUTES}
    assert {"/sign-in", "/v1/api-keys", "/settings/api-keys"} <= paths


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_endpoint_refuses_a_body_over_the_limit(
    user: SignedInUser, method: str, path: str
) -> None:
    headers = FORM if not path.startswith("/v1") else JSON
    response = user.client.request(method, path, content=OVER, headers=headers)
    assert response.status_code == 413, (path, response.status_code, response.text[:300])
    if path.startswith("/v1"):
        assert error_of(response, 413)["code"] == "payload_too_large"
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "larger than 64 KB" in response.text


def test_a_chunked_json_body_over_the_limit_is_413(user: SignedInUser) -> None:
    response = user.client.post("/v1/api-keys", content=chunks(OVER), headers=JSON)
    assert error_of(response, 413)["code"] == "payload_too_large"


def test_a_chunked_form_over_the_limit_is_a_413_page(anonymous: httpx.Client) -> None:
    response = anonymous.post("/sign-up", content=chunks(OVER), headers=FORM)
    assert response.status_code == 413
    assert "Too large" in response.text and "larger than 64 KB" in response.text


def test_a_body_at_the_limit_is_read(user: SignedInUser) -> None:
    body = b'{"name": "' + b"x" * (DEFAULT_LIMIT - 12) + b'"}'
    assert len(body) == DEFAULT_LIMIT
    response = user.client.post("/v1/api-keys", content=body, headers=JSON)
    assert response.status_code == 422  # read and validated (the name is too long), not 413
