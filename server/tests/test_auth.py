"""Sign-up, sign-in, sign-out and CSRF over the JSON API (/v1/auth/...).

Failed sign-ins are throttled per email and per client IP (30 per 15 minutes), and every test
runs from 127.0.0.1: tests that fail a sign-in send their own `X-Forwarded-For` address (the
server trusts it from 127.0.0.1, as behind a local proxy) so that they do not use up the budget
of the address that the rest of the suite shares.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.factories import PASSWORD, SignedInUser, error_of, unique_email

SESSION_COOKIE = "llmo_session"


@pytest.fixture
def fresh_ip() -> dict[str, str]:
    """Headers that make this test's sign-ins come from an address of its own."""
    address = uuid.uuid4().int
    return {
        "X-Forwarded-For": f"10.{address % 250}.{address // 250 % 250}.{address // 62500 % 250}"
    }


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def sign_up_request(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(
        "/v1/auth/sign-up", json={"email": email, "password": password, "name": "Ada"}
    )


def sign_in_request(
    client: httpx.Client, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(
        "/v1/auth/sign-in", json={"email": email, "password": password}, headers=headers
    )


def cookie_attributes(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The session cookie's value and its attributes (lower-cased names) from Set-Cookie."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert len(headers) == 1, response.headers
    first, *attributes = (part.strip() for part in headers[0].split(";"))
    value = first.partition("=")[2]
    parsed = {}
    for attribute in attributes:
        name, _, attribute_value = attribute.partition("=")
        parsed[name.lower()] = attribute_value
    return value, parsed


def cookie_client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, cookies={SESSION_COOKIE: token})


# --- sign-up ---------------------------------------------------------------------------------


def test_sign_up_is_201_with_the_user_account_and_a_csrf_token(client: httpx.Client) -> None:
    email = unique_email()
    response = sign_up_request(client, email)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Ada"
    uuid.UUID(body["user"]["id"])
    uuid.UUID(body["account_id"])
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) >= 32


def test_sign_up_sets_an_httponly_lax_session_cookie_for_the_whole_site(
    client: httpx.Client,
) -> None:
    response = sign_up_request(client, unique_email())
    value, attributes = cookie_attributes(response)
    assert len(value) >= 32
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"
    assert "secure" not in attributes  # PUBLIC_URL is http:// here; https:// would add it


def test_the_session_cookie_is_not_the_csrf_token(client: httpx.Client) -> None:
    response = sign_up_request(client, unique_email())
    value, _ = cookie_attributes(response)
    assert value != response.json()["csrf_token"]


def test_signing_up_twice_with_the_same_email_is_409(client: httpx.Client) -> None:
    email = unique_email()
    assert sign_up_request(client, email).status_code == 201
    error = error_of(sign_up_request(client, email), 409)
    assert error["code"] == "email_taken"
    assert "already exists" in error["message"]


def test_duplicate_email_check_ignores_case(client: httpx.Client) -> None:
    email = unique_email()
    assert sign_up_request(client, email).status_code == 201
    error = error_of(sign_up_request(client, email.upper()), 409)
    assert error["code"] == "email_taken"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "too short"),
        ("password123", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
    ],
    ids=["too-short", "common", "one-character"],
)
def test_weak_password_is_422_and_the_message_states_the_rule(
    client: httpx.Client, password: str, problem: str
) -> None:
    error = error_of(sign_up_request(client, unique_email(), password), 422)
    assert error["code"] == "weak_password"
    assert problem in error["message"]
    assert "at least 10 characters" in error["message"]


def test_password_equal_to_the_email_is_422(client: httpx.Client) -> None:
    email = unique_email()
    error = error_of(sign_up_request(client, email, password=email.upper()), 422)
    assert error["code"] == "weak_password"
    assert "email" in error["message"]
    assert "at least 10 characters" in error["message"]


def test_a_refused_sign_up_creates_no_user(client: httpx.Client) -> None:
    email = unique_email()
    assert sign_up_request(client, email, "short").status_code == 422
    assert sign_up_request(client, email).status_code == 201


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", ""])
def test_invalid_email_is_422(client: httpx.Client, email: str) -> None:
    error = error_of(sign_up_request(client, email), 422)
    assert error["code"] == "invalid_request"
    assert "email" in error["message"]


def test_sign_up_without_a_password_is_422(client: httpx.Client) -> None:
    response = client.post("/v1/auth/sign-up", json={"email": unique_email()})
    error = error_of(response, 422)
    assert "password" in error["message"]


# --- sign-in ---------------------------------------------------------------------------------


def test_sign_in_returns_a_session_cookie_and_a_csrf_token(
    client: httpx.Client, base_url: str
) -> None:
    email = unique_email()
    signed_up = sign_up_request(client, email).json()
    with httpx.Client(base_url=base_url, timeout=30) as fresh:
        response = sign_in_request(fresh, email, PASSWORD)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"]["id"] == signed_up["user"]["id"]
        assert body["account_id"] == signed_up["account_id"]
        assert body["csrf_token"] and body["csrf_token"] != signed_up["csrf_token"]
        _, attributes = cookie_attributes(response)
        assert "httponly" in attributes
        keys = fresh.get("/v1/api-keys")
        assert keys.status_code == 200, keys.text


def test_sign_in_ignores_the_case_and_surrounding_spaces_of_the_email(
    client: httpx.Client,
) -> None:
    email = unique_email()
    sign_up_request(client, email)
    response = sign_in_request(client, f"  {email.upper()} ", PASSWORD)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email


def test_the_csrf_token_from_sign_in_authorizes_cookie_changes(
    client: httpx.Client, base_url: str
) -> None:
    email = unique_email()
    sign_up_request(client, email)
    with httpx.Client(base_url=base_url, timeout=30) as fresh:
        csrf_token = sign_in_request(fresh, email, PASSWORD).json()["csrf_token"]
        response = fresh.post(
            "/v1/api-keys", json={"name": "script"}, headers={"X-CSRF-Token": csrf_token}
        )
        assert response.status_code == 201, response.text


def test_wrong_password_is_401_without_saying_whether_the_email_exists(
    client: httpx.Client, fresh_ip: dict[str, str]
) -> None:
    email = unique_email()
    sign_up_request(client, email)
    wrong_password = sign_in_request(client, email, "not the password", fresh_ip)
    unknown_email = sign_in_request(client, unique_email(), "not the password", fresh_ip)
    assert error_of(wrong_password, 401) == error_of(unknown_email, 401)
    assert error_of(wrong_password, 401)["code"] == "invalid_credentials"
    assert SESSION_COOKIE not in wrong_password.headers.get("set-cookie", "")


def test_repeated_failures_for_one_email_are_throttled_with_retry_after(
    client: httpx.Client, fresh_ip: dict[str, str]
) -> None:
    email = unique_email()
    sign_up_request(client, email)
    for _ in range(5):
        assert sign_in_request(client, email, "wrong password!", fresh_ip).status_code == 401
    # Even the right password is refused now: the limit is checked before the password.
    throttled = sign_in_request(client, email, PASSWORD, fresh_ip)
    error = error_of(throttled, 429)
    assert error["code"] == "too_many_attempts"
    assert "Too many failed sign-ins" in error["message"]
    assert "15 minutes" in error["message"]
    assert int(throttled.headers["Retry-After"]) > 0


# --- sign-out and sessions -------------------------------------------------------------------


def test_sign_out_revokes_the_session_on_the_server(user: SignedInUser, base_url: str) -> None:
    token = user.client.cookies[SESSION_COOKIE]
    response = user.client.post("/v1/auth/sign-out")
    assert response.status_code == 204, response.text
    # A client that kept the cookie (ignoring the deletion) is still refused.
    with cookie_client(base_url, token) as stale:
        error = error_of(stale.get("/v1/api-keys"), 401)
        assert error["code"] == "not_signed_in"


def test_sign_out_clears_the_cookie(user: SignedInUser) -> None:
    response = user.client.post("/v1/auth/sign-out")
    assert response.status_code == 204
    cleared = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert len(cleared) == 1
    assert "Max-Age=0" in cleared[0] or "expires=Thu, 01 Jan 1970" in cleared[0]


def test_sign_out_leaves_other_sessions_of_the_same_user_signed_in(
    user: SignedInUser, base_url: str
) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as second:
        assert sign_in_request(second, user.email, PASSWORD).status_code == 200
        assert user.client.post("/v1/auth/sign-out").status_code == 204
        assert second.get("/v1/api-keys").status_code == 200


def test_sign_out_without_the_csrf_header_is_403_and_keeps_the_session(
    user: SignedInUser,
) -> None:
    del user.client.headers["X-CSRF-Token"]
    error = error_of(user.client.post("/v1/auth/sign-out"), 403)
    assert error["code"] == "csrf_failed"
    assert user.client.get("/v1/api-keys").status_code == 200


def test_sign_out_without_a_session_is_401(client: httpx.Client) -> None:
    error = error_of(client.post("/v1/auth/sign-out"), 401)
    assert error["code"] == "not_signed_in"


def test_a_made_up_session_cookie_is_401(base_url: str) -> None:
    with cookie_client(base_url, "made-up-session-token") as forged:
        error = error_of(forged.get("/v1/api-keys"), 401)
        assert error["code"] == "not_signed_in"


# --- CSRF ------------------------------------------------------------------------------------


def test_cookie_post_without_the_csrf_header_is_403(user: SignedInUser) -> None:
    del user.client.headers["X-CSRF-Token"]
    error = error_of(user.client.post("/v1/api-keys", json={"name": "k"}), 403)
    assert error["code"] == "csrf_failed"
    assert "X-CSRF-Token" in error["message"]


def test_cookie_post_with_a_wrong_csrf_token_is_403(user: SignedInUser) -> None:
    user.client.headers["X-CSRF-Token"] = "not-the-token"
    error = error_of(user.client.post("/v1/api-keys", json={"name": "k"}), 403)
    assert error["code"] == "csrf_failed"


def test_cookie_delete_without_the_csrf_header_is_403_and_revokes_nothing(
    user: SignedInUser, base_url: str
) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "k"}).json()
    del user.client.headers["X-CSRF-Token"]
    error = error_of(user.client.delete(f"/v1/api-keys/{created['id']}"), 403)
    assert error["code"] == "csrf_failed"
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {created['key']}"}
    ) as keyed:
        assert keyed.get("/v1/ping").status_code == 200


def test_the_csrf_token_of_another_session_is_403(
    user: SignedInUser, other_user: SignedInUser
) -> None:
    user.client.headers["X-CSRF-Token"] = other_user.csrf_token
    error = error_of(user.client.post("/v1/api-keys", json={"name": "k"}), 403)
    assert error["code"] == "csrf_failed"


def test_cookie_reads_need_no_csrf_token(user: SignedInUser) -> None:
    del user.client.headers["X-CSRF-Token"]
    assert user.client.get("/v1/api-keys").status_code == 200


def test_signing_in_again_after_sign_out_starts_a_working_session(user: SignedInUser) -> None:
    assert user.client.post("/v1/auth/sign-out").status_code == 204
    assert user.client.get("/v1/api-keys").status_code == 401
    response = sign_in_request(user.client, user.email, PASSWORD)
    assert response.status_code == 200, response.text
    assert user.client.get("/v1/api-keys").status_code == 200


# --- text PostgreSQL cannot hold ------------------------------------------------------------


def test_a_nul_character_in_the_sign_up_name_is_422(client: httpx.Client) -> None:
    response = client.post(
        "/v1/auth/sign-up", json={"email": unique_email(), "password": PASSWORD, "name": "a\0b"}
    )
    assert "NUL" in error_of(response, 422)["message"]


def test_a_nul_character_in_the_sign_in_email_is_422(client: httpx.Client) -> None:
    response = client.post("/v1/auth/sign-in", json={"email": "a\0b@example.com", "password": "x"})
    assert "NUL" in error_of(response, 422)["message"]
