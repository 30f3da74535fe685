"""The sign-in form's pre-session CSRF token is signed with SECRET_KEY: a planted cookie, or one
another server signed, is refused."""

from __future__ import annotations

import re

import httpx

from llmobserve_server.testing import RunningServer
from tests.support.factories import PASSWORD


def _post_sign_in(client: httpx.Client, token: str) -> httpx.Response:
    client.cookies.set("llmo_csrf", token)
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "nobody@example.com", "password": PASSWORD},
    )


def _issued_token(client: httpx.Client) -> str:
    page = client.get("/sign-in").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_token_this_server_issued_is_accepted(json_server: RunningServer) -> None:
    with httpx.Client(base_url=json_server.base_url) as client:
        token = _issued_token(client)
        assert _post_sign_in(client, token).status_code == 200  # the form, with its error


def test_a_planted_unsigned_token_is_refused(json_server: RunningServer) -> None:
    with httpx.Client(base_url=json_server.base_url) as client:
        assert _post_sign_in(client, "chosen-by-an-attacker").status_code == 403


def test_a_token_with_a_forged_signature_is_refused(json_server: RunningServer) -> None:
    with httpx.Client(base_url=json_server.base_url) as client:
        nonce, _, _signature = _issued_token(client).rpartition(".")
        assert _post_sign_in(client, f"{nonce}.{'0' * 64}").status_code == 403
