"""Every GET page of the dashboard, asked with malformed query strings (the filters, ranges,
groupings, cursors and search boxes people and links put there) as a signed-in staff user, who
can open every page: each answer is a page or a redirect, never a 5xx, a stack trace or a JSON
error. The routes come from the app, so a new page is fuzzed without being listed here."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from llmobserve_server.app import create_app
from llmobserve_server.config import Settings
from llmobserve_server.testing import RunningServer
from llmobserve_server.web.errors import is_page_path
from tests.fuzz.malformed_forms import FormRoute
from tests.fuzz.test_form_fuzz import Visitor, real_path
from tests.fuzz.test_form_fuzz import victim_account as victim_account  # the fixture

# The query parameters the pages read (filters, ranges, groupings, cursors, search), and more.
NAMES = (
    "range",
    "from",
    "to",
    "group_by",
    "split",
    "customer",
    "agent",
    "section",
    "status",
    "after",
    "cursor",
    "action",
    "q",
    "plan",
    "next",
    "page",
)
VALUES = {
    "huge": "x" * 800,  # × 16 parameters: within the 16 KiB a request line may take
    "invalid date": "2026-13-45",
    "reversed range": "9999-12-31",
    "negative": "-1",
    "quote": "' OR 1=1 --",
    "multibyte": "日本語🙂" * 20,
    "control characters": "\x01\x02\x1b[0m",
    "bad percent-encoding": "%FF%FE%",
    "path": "//evil.example/%2e%2e/",
}


def web_get_routes(data_dir: Path) -> list[str]:
    app = create_app(Settings(llmobserve_data_dir=data_dir))
    return sorted(
        {
            context.path
            for context in iter_route_contexts(app.routes)
            if isinstance(context.original_route, APIRoute)
            and "GET" in context.methods
            and is_page_path(context.path)
        }
    )


STAFF = FormRoute((), staff=True)  # a signed-in staff user: every page opens for them
ROUTES = web_get_routes(Path("/nonexistent-data-dir-for-route-listing"))


def assert_page_or_redirect(response: httpx.Response, what: str) -> None:
    text = response.text
    assert response.status_code < 500, f"{what}: {response.status_code}\n{text[:2000]}"
    assert "Traceback" not in text, f"{what}: a stack trace\n{text[:2000]}"
    content_type = response.headers.get("content-type", "")
    assert not content_type.startswith("application/json"), f"{what}: JSON on a page"
    if content_type.startswith("text/html") and response.status_code >= 400:
        assert 'class="error-page"' in text, f"{what}: a {response.status_code} without a message"


@pytest.mark.parametrize("route", ROUTES)
def test_malformed_query_strings_get_a_page_or_a_redirect(
    route: str, fuzz_server: RunningServer, victim_account: str, subtests: pytest.Subtests
) -> None:
    visitor = Visitor(fuzz_server, STAFF)
    try:
        path = real_path(route, visitor, victim_account)
        for label, value in VALUES.items():
            with subtests.test(msg=label):
                params = [(name, value) for name in NAMES]
                response = visitor.client.get(path, params=params, follow_redirects=False)
                assert_page_or_redirect(response, f"GET {path} with {label}")
                visitor.refresh()
        with subtests.test(msg="raw invalid UTF-8"):
            raw = path + "?q=%FF%FE&from=%E0%A4&customer=%C0%AF&to=%"
            response = visitor.client.get(raw, follow_redirects=False)
            assert_page_or_redirect(response, f"GET {raw}")
            visitor.refresh()
        with subtests.test(msg="repeated parameters"):
            params = [(name, str(n)) for name in NAMES for n in range(3)]
            response = visitor.client.get(path, params=params, follow_redirects=False)
            assert_page_or_redirect(response, f"GET {path} with repeated parameters")
    finally:
        visitor.close()
