"""Sign-in throttling: per account (email) and per client IP, with a message that says which."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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


def at_once(
    count: int, base_url: str, attempt: Callable[[httpx.Client, int], httpx.Response]
) -> list[int]:
    """`count` attempts released together from as many threads; their status codes."""
    barrier = threading.Barrier(count)

    def run(index: int) -> int:
        with httpx.Client(base_url=base_url, timeout=300) as client:
            barrier.wait()
            return attempt(client, index).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_a_burst_for_one_email_evaluates_no_more_passwords_than_the_limit(
    base_url: str, user: SignedInUser
) -> None:
    statuses = at_once(
        40, base_url, lambda client, _i: sign_in(client, user.email, "wrong password!", address())
    )
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= 5  # a 401 is a password evaluated; a 429 was refused before
    assert statuses.count(401) >= 1


def test_a_burst_from_one_ip_evaluates_no_more_passwords_than_the_limit(base_url: str) -> None:
    ip = address()
    emails = [unique_email() for _ in range(100)]
    statuses = at_once(
        100, base_url, lambda client, i: sign_in(client, emails[i], "wrong password!", ip)
    )
    assert set(statuses) <= {401, 429}
    assert 1 <= statuses.count(401) <= 30


def sign_up(client: httpx.Client, email: str, ip: str) -> httpx.Response:
    return client.post(
        "/v1/auth/sign-up",
        json={"email": email, "password": PASSWORD, "name": "Probe"},
        headers={"X-Forwarded-For": ip},
    )


def test_email_taken_answers_are_limited_per_ip_and_then_every_sign_up_waits(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    ip = address()
    for _ in range(10):
        assert error_of(sign_up(anonymous, user.email, ip), 409)["code"] == "email_taken"
    paused = error_of(sign_up(anonymous, user.email, ip), 429)
    assert "from your network" in paused["message"]
    # The pause tells nothing about which emails exist: a new one waits too.
    assert error_of(sign_up(anonymous, unique_email(), ip), 429)["code"] == "too_many_attempts"
    assert sign_up(anonymous, unique_email(), address()).status_code == 201


def test_a_burst_of_sign_ups_for_a_taken_email_gets_no_more_answers_than_the_limit(
    base_url: str, user: SignedInUser
) -> None:
    ip = address()
    statuses = at_once(30, base_url, lambda client, _i: sign_up(client, user.email, ip))
    assert set(statuses) <= {409, 429}
    assert 1 <= statuses.count(409) <= 10
