"""`Server-Timing: app;dur=<ms>` on every response (what `bench/dashboard.py` measures)."""

from __future__ import annotations

import re

import httpx

from tests.support.factories import SignedInUser

TIMING = re.compile(r"^app;dur=(\d+\.\d)$")


def _duration_ms(response: httpx.Response) -> float:
    match = TIMING.match(response.headers.get("server-timing", ""))
    assert match, response.headers
    return float(match.group(1))


def test_every_response_says_how_long_the_server_took(anonymous: httpx.Client) -> None:
    for path, status in (("/healthz", 200), ("/readyz", 200), ("/no-such-page", 404)):
        response = anonymous.get(path)
        assert response.status_code == status
        assert 0 <= _duration_ms(response) < 10_000


def test_pages_carry_it_too(user: SignedInUser) -> None:
    response = user.client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert _duration_ms(response) >= 0
