"""The API Reference pages and the server's OpenAPI document agree: every operation the server
serves is documented (as a heading `` `METHOD /path` ``), and every documented endpoint exists."""

from __future__ import annotations

import re

import httpx

from llmobserve_server.testing import RunningServer
from tests.docs.markdown_samples import DOCS

_HEADING = re.compile(r"^#{2,4} `(GET|POST|PUT|PATCH|DELETE) (/\S+)`\s*$", re.M)
_METHODS = {"get", "post", "put", "patch", "delete"}


def documented() -> dict[tuple[str, str], str]:
    """{(METHOD, /path): page} for every endpoint heading under docs/api/."""
    found: dict[tuple[str, str], str] = {}
    for page in sorted((DOCS / "api").glob("*.md")):
        for method, path in _HEADING.findall(page.read_text()):
            assert (method, path) not in found, f"{method} {path} documented twice"
            found[(method, path)] = page.name
    return found


def served(server: RunningServer) -> set[tuple[str, str]]:
    document = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in _METHODS
    }


def test_every_operation_of_the_openapi_document_is_documented(docs_server: RunningServer) -> None:
    missing = sorted(served(docs_server) - set(documented()))
    assert not missing, (
        "document these endpoints in docs/api/<page>.md under a heading like "
        f"'### `GET /v1/things/{{thing_id}}`' (path parameters as in the OpenAPI): {missing}"
    )


def test_every_documented_endpoint_is_served(docs_server: RunningServer) -> None:
    unknown = sorted(set(documented()) - served(docs_server))
    assert not unknown, f"documented in docs/api/ but not served: {unknown}"


def test_the_openapi_document_is_linked_from_the_api_overview() -> None:
    assert "/openapi.json" in (DOCS / "api" / "index.md").read_text()
