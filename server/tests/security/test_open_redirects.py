"""`next=` can only lead to a path on this site, however it is written or encoded."""

from __future__ import annotations

import httpx
import pytest

from llmobserve_server.web.redirects import safe_next
from tests.support.factories import PASSWORD, SignedInUser
from tests.support.forms import csrf_token_of

HOSTILE = [
    "https://evil.com",
    "http://evil.com/",
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:/evil.com",
    "https:evil.com",
    "evil.com",
    "/%2F%2Fevil.com",
    "/%2f%2fevil.com",
    "%2F%2Fevil.com",
    "/%5Cevil.com",
    "/%5cevil.com",
    "/%09/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\nLocation: https://evil.com",
    " //evil.com",
    "%20//evil.com",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_next_refuses_anything_that_can_leave_the_site(value: str) -> None:
    assert safe_next(value) == "/"


@pytest.mark.parametrize("value", ["/runs", "/runs?customer=acme%20corp&status=error", "/costs#x"])
def test_safe_next_keeps_local_paths(value: str) -> None:
    assert safe_next(value) == value


def is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and "\\" not in location


@pytest.mark.parametrize("value", HOSTILE)
def test_a_signed_in_visit_to_sign_in_never_redirects_off_site(
    user: SignedInUser, value: str
) -> None:
    response = user.client.get("/sign-in", params={"next": value})
    assert response.status_code == 303
    assert is_local(response.headers["location"]), response.headers["location"]


def sign_in_with_next(
    anonymous: httpx.Client, user: SignedInUser, value: str
) -> tuple[str, httpx.Response]:
    """The sign-in page opened with `next=value`, and the response to signing in from it."""
    page = anonymous.get("/sign-in", params={"next": value})
    response = anonymous.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token_of(page.text),
            "email": user.email,
            "password": PASSWORD,
            "next": value,
        },
    )
    return page.text, response


@pytest.mark.parametrize("value", HOSTILE)
def test_signing_in_never_redirects_off_site(
    anonymous: httpx.Client, user: SignedInUser, value: str
) -> None:
    page, response = sign_in_with_next(anonymous, user, value)
    assert "evil.com" not in page
    assert response.status_code == 303, response.text
    assert is_local(response.headers["location"]), response.headers["location"]
    anonymous.cookies.clear()


def test_signing_in_follows_a_local_next(anonymous: httpx.Client, user: SignedInUser) -> None:
    _, response = sign_in_with_next(anonymous, user, "/runs?status=error")
    assert response.headers["location"] == "/runs?status=error"
