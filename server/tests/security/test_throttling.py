"""Sign-in throttling: per account (email) and per client IP, with a message that says which."""

from __future__ import annotations

import uuid

import httpx

from tests.support.factories import PASSWORD, SignedInUser, error_of, unique_email


def address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}"


def sign_in(client: httpx.Client, email: str, password: str, ip: str) -> httpx.Response:
    return client.post(
        "/v1/auth/sign-in",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": ip},
    )


def test_too_many_failures_from_one_ip_pause_its_sign_ins_but_not_others(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    ip = address()
    for _ in range(30):  # guessing across many emails, never five times the same one
        assert sign_in(anonymous, unique_email(), "wrong password!", ip).status_code == 401
    throttled = sign_in(anonymous, user.email, PASSWORD, ip)
    error = error_of(throttled, 429)
    assert error["code"] == "too_many_attempts"
    assert "from your network" in error["message"] and "15 minutes" in error["message"]
    assert int(throttled.headers["Retry-After"]) == 900
    assert sign_in(anonymous, user.email, PASSWORD, address()).status_code == 200


def test_too_many_failures_for_one_email_pause_it_from_every_ip(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    for _ in range(5):
        assert sign_in(anonymous, user.email, "wrong password!", address()).status_code == 401
    error = error_of(sign_in(anonymous, user.email, PASSWORD, address()), 429)
    assert "for this email" in error["message"] and "reset your password" in error["message"]


def test_the_sign_in_page_says_why_it_is_paused(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    for _ in range(5):
        sign_in(anonymous, user.email, "wrong password!", address())
    page = anonymous.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = anonymous.post(
        "/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed sign-ins for this email. Wait 15 minutes" in response.text
