"""Every HTML form of the dashboard, posted malformed input with a valid session and CSRF token
(or the pre-session cookie before sign-in): missing, empty and wrong-typed fields, huge and
multibyte values, control characters and NUL bytes, invalid UTF-8 and percent-encoding,
duplicate fields, bodies that are not forms, and bodies past the size limit. Each answer is a
readable HTML page (the form again with its errors, an error page, or a redirect), never a 5xx,
a stack trace or a JSON error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from llmobserve_server.app import create_app
from llmobserve_server.config import Settings
from llmobserve_server.testing import RunningServer
from llmobserve_server.web.errors import is_page_path
from tests.fuzz.malformed_forms import FORMS, MALFORMED, Body, FormRoute
from tests.support.accounts_db import execute, uuid_param
from tests.support.factories import SignedInUser, sign_up
from tests.support.forms import csrf_token_of

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
GARBAGE_IDS = ("not-an-id", "%00", "%FF%FE", "x" * 2000, "..%2F..%2Fadmin")


def web_post_routes(data_dir: Path) -> set[str]:
    """The paths of the app's HTML routes that take a POST (FastAPI includes routers lazily:
    `iter_route_contexts` yields their routes with the full path)."""
    app = create_app(Settings(llmobserve_data_dir=data_dir))
    return {
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "POST" in context.methods
        and is_page_path(context.path)
    }


def test_every_form_route_of_the_web_app_is_fuzzed(tmp_path: Path) -> None:
    served = web_post_routes(tmp_path)
    missing = sorted(served - set(FORMS))
    assert not missing, f"add these form routes to tests/fuzz/malformed_forms.py FORMS: {missing}"
    assert not sorted(set(FORMS) - served), "FORMS names routes the app no longer has"


class Visitor:
    """A browser on the fuzz server: signed in as a fresh user (staff when the form needs it),
    or signed out with the pre-session CSRF cookie. `refresh` signs in anew when a request
    ended the session."""

    def __init__(self, server: RunningServer, form: FormRoute) -> None:
        self.server = server
        self.form = form
        self.user: SignedInUser | None = None
        self.client = httpx.Client(base_url=server.base_url, timeout=60)
        self.csrf = ""
        self.refresh()

    def refresh(self) -> None:
        if not self.form.signed_in:
            self.client.cookies.clear()
            self.csrf = csrf_token_of(self.client.get("/sign-in").text)
            return
        if self.user is not None and self.client.get("/settings/profile").status_code == 200:
            return
        self.close()
        self.user = sign_up(self.server.base_url)
        if self.form.staff:
            execute(
                self.server,
                "UPDATE users SET is_staff = :yes WHERE id = :id",
                yes=True,
                id=uuid_param(self.server, self.user.user_id),
            )
        self.client = self.user.client
        del self.client.headers["X-CSRF-Token"]  # forms carry the token as a field, like a browser
        self.csrf = self.user.csrf_token

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def victim_account(fuzz_server: RunningServer) -> Iterator[str]:
    """Another account, for the operator console's per-account forms."""
    user = sign_up(fuzz_server.base_url)
    yield user.account_id
    user.client.close()


def real_path(template: str, visitor: Visitor, victim_account: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "account_id":
            return victim_account
        if name == "key_id" and visitor.user is not None:
            created = visitor.user.client.post(
                "/v1/api-keys", json={"name": "fuzz"}, headers={"X-CSRF-Token": visitor.csrf}
            )
            return str(created.json()["id"])
        if name == "rest":
            return "no/such/page"
        if name == "token":
            return "no-such-invitation-token"
        return str(uuid.uuid4())

    return _PARAM.sub(value, template)


def post(visitor: Visitor, path: str, body: Body) -> httpx.Response:
    content: bytes | Iterator[bytes] = body.content
    if body.chunked:
        content = iter([body.content[i : i + 8192] for i in range(0, len(body.content), 8192)])
    return visitor.client.post(path, content=content, headers={"content-type": body.content_type})


def assert_readable_page(response: httpx.Response, what: str) -> None:
    text = response.text
    assert response.status_code < 500, f"{what}: {response.status_code}\n{text[:2000]}"
    assert "Traceback" not in text, f"{what}: a stack trace\n{text[:2000]}"
    if 300 <= response.status_code < 400:
        assert response.headers.get("location"), f"{what}: a redirect without Location"
        return
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), f"{what}: {content_type}\n{text[:500]}"
    assert "<html" in text.lower() and "<h1" in text, f"{what}: not a readable page\n{text[:500]}"
    if response.status_code >= 400:
        assert 'class="error-page"' in text, f"{what}: a {response.status_code} without a message"


@pytest.mark.parametrize("route", sorted(FORMS))
def test_malformed_input_to_a_form_gets_a_readable_page(
    route: str, fuzz_server: RunningServer, victim_account: str, subtests: pytest.Subtests
) -> None:
    form = FORMS[route]
    visitor = Visitor(fuzz_server, form)
    try:
        for name, make in MALFORMED.items():
            with subtests.test(msg=name):
                path = real_path(route, visitor, victim_account)
                response = post(visitor, path, make(form.fields, visitor.csrf))
                assert_readable_page(response, f"POST {path} with {name}")
                visitor.refresh()
        if _PARAM.search(route):
            for garbage in GARBAGE_IDS:
                with subtests.test(msg=f"path parameters {garbage[:20]}"):
                    path = _PARAM.sub(garbage, route)
                    body = MALFORMED["empty fields"](form.fields, visitor.csrf)
                    response = post(visitor, path, body)
                    assert_readable_page(response, f"POST {path[:200]}")
                    visitor.refresh()
    finally:
        visitor.close()
