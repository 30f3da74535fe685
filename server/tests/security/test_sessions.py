"""Sessions: a new id at sign-in and on privilege changes, idle and absolute expiry (configurable),
and signing out everywhere from the profile page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.accounts.tokens import sha256_hex
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import execute
from tests.support.databases import server_for
from tests.support.factories import PASSWORD, SignedInUser, sign_up

NEW_PASSWORD = "an even longer passphrase"


def sign_in(base_url: str, email: str, password: str = PASSWORD) -> SignedInUser:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/v1/auth/sign-in", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return SignedInUser(client, email, body["user"]["id"], body["account_id"], body["csrf_token"])


def works(token: str, base_url: str) -> bool:
    with httpx.Client(base_url=base_url, timeout=30, cookies={SESSION_COOKIE: token}) as client:
        return client.get("/v1/api-keys").status_code == 200


def age_session(server: RunningServer, token: str, **columns: datetime) -> None:
    sets = ", ".join(f"{name} = :{name}" for name in columns)
    execute(server, f"UPDATE sessions SET {sets} WHERE id = :id", id=sha256_hex(token), **columns)


def cookie_max_age(response: httpx.Response) -> int:
    match = re.search(r"Max-Age=(\d+)", response.headers["set-cookie"])
    assert match, response.headers["set-cookie"]
    return int(match.group(1))


def profile_form(user: SignedInUser, action: str, **fields: str) -> httpx.Response:
    html = user.client.get("/settings/profile").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    return user.client.post(action, data={"csrf_token": token.group(1), **fields})


def test_signing_in_gives_a_new_session_id_and_ends_the_one_the_browser_had(
    user: SignedInUser, base_url: str
) -> None:
    before = user.client.cookies[SESSION_COOKIE]
    response = user.client.post(
        "/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD}
    )
    after = response.cookies[SESSION_COOKIE]
    assert after != before
    assert works(after, base_url)
    assert not works(before, base_url)


def test_a_password_change_rotates_this_session_and_signs_out_the_others(
    user: SignedInUser, base_url: str
) -> None:
    other = sign_in(base_url, user.email)
    before = user.client.cookies[SESSION_COOKIE]
    response = profile_form(
        user,
        "/settings/profile/password",
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
    )
    assert response.status_code == 303
    after = response.cookies[SESSION_COOKIE]
    assert after != before
    assert works(after, base_url)
    assert not works(before, base_url)
    assert other.client.get("/v1/api-keys").status_code == 401
    other.client.close()


def test_an_idle_session_ends(server: RunningServer, user: SignedInUser) -> None:
    token = user.client.cookies[SESSION_COOKIE]
    age_session(server, token, last_seen_at=datetime.now(timezone.utc) - timedelta(hours=25))
    assert user.client.get("/v1/api-keys").status_code == 401
    page = user.client.get("/settings/profile")
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")


def test_a_session_ends_at_its_absolute_expiry_however_active(
    server: RunningServer, user: SignedInUser
) -> None:
    token = user.client.cookies[SESSION_COOKIE]
    age_session(server, token, expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert user.client.get("/v1/api-keys").status_code == 401


def test_a_recently_used_session_stays(server: RunningServer, user: SignedInUser) -> None:
    token = user.client.cookies[SESSION_COOKIE]
    age_session(server, token, last_seen_at=datetime.now(timezone.utc) - timedelta(hours=23))
    assert user.client.get("/v1/api-keys").status_code == 200


def test_the_default_session_cookie_lasts_14_days(user: SignedInUser, base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD}
    )
    assert 14 * 86400 - 60 <= cookie_max_age(response) <= 14 * 86400


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp("short-sessions")
    env = {"SESSION_IDLE_MINUTES": "10", "SESSION_MAX_DAYS": "1"}
    with server_for("sqlite", data_dir, "sessions", env) as running:
        yield running


def test_session_lifetimes_follow_the_settings(short_sessions: RunningServer) -> None:
    user = sign_up(short_sessions.base_url)
    response = user.client.post(
        "/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD}
    )
    assert 86400 - 60 <= cookie_max_age(response) <= 86400
    token = response.cookies[SESSION_COOKIE]
    age_session(
        short_sessions, token, last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=11)
    )
    assert not works(token, short_sessions.base_url)
    user.client.close()


def test_the_profile_lists_the_sessions_and_signs_out_the_others(
    user: SignedInUser, base_url: str
) -> None:
    other = sign_in(base_url, user.email)
    page = user.client.get("/settings/profile").text
    assert page.count('class="session-item"') == 2
    assert "This browser" in page
    response = profile_form(user, "/settings/profile/sessions/revoke", scope="others")
    assert response.status_code == 303
    assert other.client.get("/v1/api-keys").status_code == 401
    assert user.client.get("/v1/api-keys").status_code == 200
    assert "Signed out 1 other session" in user.client.get("/settings/profile").text
    other.client.close()


def test_signing_out_everywhere_ends_this_session_too(user: SignedInUser, base_url: str) -> None:
    other = sign_in(base_url, user.email)
    token = user.client.cookies[SESSION_COOKIE]
    response = profile_form(user, "/settings/profile/sessions/revoke", scope="all")
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    assert not works(token, base_url)
    assert other.client.get("/v1/api-keys").status_code == 401
    other.client.close()
