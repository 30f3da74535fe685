"""The pages over plain HTTP: redirects, CSRF, open redirects, HTML errors, headers, caching."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.factories import PASSWORD, SignedInUser, error_of, unique_email

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    match = CSRF_INPUT.search(response.text)
    assert match, response.text
    return match.group(1)


def sign_in_form(client: httpx.Client, email: str, **extra: str) -> httpx.Response:
    token = form_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD, **extra}
    )


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/", "/sign-in"),
        ("/onboarding", "/sign-in?next=/onboarding"),
        ("/settings/api-keys?sort=name", "/sign-in?next=/settings/api-keys%3Fsort%3Dname"),
    ],
)
def test_signed_out_pages_redirect_to_sign_in_with_next(
    anonymous: httpx.Client, path: str, location: str
) -> None:
    response = anonymous.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    "next_value",
    ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)", "x"],
)
def test_sign_in_never_redirects_off_site(
    anonymous: httpx.Client, user: SignedInUser, next_value: str
) -> None:
    response = sign_in_form(anonymous, user.email, next=next_value)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_sign_in_sends_to_a_local_next(anonymous: httpx.Client, user: SignedInUser) -> None:
    response = sign_in_form(anonymous, user.email, next="/settings/api-keys?x=1")
    assert response.headers["location"] == "/settings/api-keys?x=1"
    assert anonymous.get("/settings/api-keys").status_code == 200


def test_a_form_without_its_csrf_token_is_refused_with_a_readable_page(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    anonymous.get("/sign-in")  # has the pre-session cookie, but posts no token
    response = anonymous.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "did not come from this site" in response.text
    assert "llmo_session" not in response.cookies


def test_a_signed_in_form_without_the_session_token_is_refused(user: SignedInUser) -> None:
    user.client.headers.pop("X-CSRF-Token")
    response = user.client.post("/settings/api-keys", data={"name": "sneaky"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert user.client.get("/v1/api-keys", headers={}).json()["api_keys"] == []


def test_a_cross_site_sign_in_is_refused_even_with_a_matching_token(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    token = form_token(anonymous, "/sign-in")
    response = anonymous.post(
        "/sign-in",
        data={"csrf_token": token, "email": user.email, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_sign_up_creates_the_account_and_signs_in(anonymous: httpx.Client) -> None:
    token = form_token(anonymous, "/sign-up")
    email = unique_email("form")
    response = anonymous.post(
        "/sign-up", data={"csrf_token": token, "email": email, "password": PASSWORD, "name": "F"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/onboarding"
    assert anonymous.get("/v1/api-keys").status_code == 200  # the same session cookie as the API


def test_sign_up_with_a_taken_email_says_so_next_to_the_field(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    token = form_token(anonymous, "/sign-up")
    response = anonymous.post(
        "/sign-up", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert 'id="field-email-error"' in response.text and "already exists" in response.text
    assert PASSWORD not in response.text


def test_sign_in_is_throttled_like_the_api(anonymous: httpx.Client, user: SignedInUser) -> None:
    for _ in range(5):
        token = form_token(anonymous, "/sign-in")
        anonymous.post("/sign-in", data={"csrf_token": token, "email": user.email, "password": "x"})
    response = sign_in_form(anonymous, user.email)  # the right password, too late
    assert "Too many failed sign-ins" in response.text
    assert "llmo_session" not in response.cookies


def test_an_unknown_page_is_an_html_404_and_the_api_keeps_its_json(
    anonymous: httpx.Client,
) -> None:
    page = anonymous.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    assert error_of(anonymous.get("/v1/no-such-endpoint"), 404)["code"] == "not_found"


def test_pages_carry_security_headers(anonymous: httpx.Client) -> None:
    for response in (anonymous.get("/sign-in"), anonymous.get("/no-such-page")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(user: SignedInUser) -> None:
    for path in ("/", "/onboarding", "/settings/api-keys"):
        html = user.client.get(path).text
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", html), path
        assert "<style" not in html and " style=" not in html, path


def test_versioned_static_files_are_cached_for_a_year(anonymous: httpx.Client) -> None:
    html = anonymous.get("/sign-in").text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{12})"', html)
    assert any("htmx.min.js" in url for url in urls) and any("app.css" in url for url in urls)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_onboarding_status_fragment_waits_until_an_event_arrives(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    waiting = user.client.get("/onboarding/test/status", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.text and "<html" not in waiting.text
    response = keyed.post(
        "/v1/events",
        json={
            "events": [
                {
                    "id": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                    "timestamp": "2026-01-01T00:00:00Z",
                    "provider": "custom",
                    "model": "my-model",
                    "cost_usd": "0.0042",
                }
            ]
        },
    )
    assert response.status_code == 200, response.text
    done = user.client.get("/onboarding/test/status", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text
    assert "my-model" in done.text and "$0.0042" in done.text


def test_a_form_field_with_a_nul_character_gets_a_readable_400_page(user: SignedInUser) -> None:
    response = user.client.post(
        "/settings/profile/name", data={"csrf_token": user.csrf_token, "name": "a\0b"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "NUL character" in response.text


def test_a_page_address_with_a_nul_character_gets_a_readable_400_page(
    user: SignedInUser,
) -> None:
    for path in ("/runs?customer=acme%00", "/customers/acme%00"):
        response = user.client.get(path)
        assert response.status_code == 400, path
        assert response.headers["content-type"].startswith("text/html")
        assert "NUL character" in response.text
