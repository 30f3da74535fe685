"""Security headers on every kind of response: pages, API, errors, redirects, static files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from llmobserve_server.web.security import CONTENT_SECURITY_POLICY
from tests.support.databases import server_for
from tests.support.factories import SignedInUser

ALWAYS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


def responses(anonymous: httpx.Client, user: SignedInUser) -> dict[str, httpx.Response]:
    return {
        "page": anonymous.get("/sign-in"),
        "signed-in page": user.client.get("/settings/api-keys"),
        "redirect": anonymous.get("/runs"),
        "page 404": anonymous.get("/no-such-page"),
        "api json": user.client.get("/v1/api-keys"),
        "api 401": anonymous.get("/v1/ping"),
        "api 404": anonymous.get("/v1/no-such-endpoint"),
        "api 413": anonymous.post(
            "/v1/auth/sign-in", content=b"x" * 70_000, headers={"content-type": "application/json"}
        ),
        "form 413": anonymous.post(
            "/sign-in",
            content=b"x" * 70_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "health": anonymous.get("/healthz"),
        "static": anonymous.get("/static/app.css"),
    }


def test_every_response_carries_the_security_headers(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    for name, response in responses(anonymous, user).items():
        for header, value in ALWAYS.items():
            assert response.headers.get(header) == value, (name, header, response.headers)
        assert "permissions-policy" in response.headers, name
        csp = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, (name, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (name, csp)
        assert "script-src 'self'" in csp, (name, csp)


def test_no_hsts_when_public_url_is_http(anonymous: httpx.Client) -> None:
    assert "strict-transport-security" not in anonymous.get("/sign-in").headers


def test_pages_and_api_answers_are_not_cached_but_static_files_are(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    assert user.client.get("/settings/api-keys").headers["cache-control"] == "no-store"
    assert user.client.get("/v1/api-keys").headers["cache-control"] == "no-store"
    assert "no-store" not in anonymous.get("/static/app.css?v=1").headers["cache-control"]


def test_the_api_docs_cannot_be_framed_and_load_only_from_this_server(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.get("/docs")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "/static/vendor/swagger-ui-bundle.js?v=" in response.text
    assert "cdn" not in response.text.lower()


def test_the_redoc_page_that_needed_a_cdn_is_gone(anonymous: httpx.Client) -> None:
    assert anonymous.get("/redoc").status_code == 404


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose PUBLIC_URL is https (it is still reached over plain http by the test)."""
    data_dir: Path = tmp_path_factory.mktemp("https-server")
    with server_for(
        "sqlite", data_dir, "https", {"PUBLIC_URL": "https://llmobserve.example.com"}
    ) as running:
        yield running


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/v1/ping", "/static/app.css"])
def test_hsts_on_every_response_when_public_url_is_https(
    https_server: RunningServer, path: str
) -> None:
    response = httpx.get(https_server.base_url + path, timeout=30)
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
