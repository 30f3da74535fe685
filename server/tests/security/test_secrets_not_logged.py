"""No password, API key or session cookie ever reaches the server's log, even at DEBUG.

A whole journey runs against a server of its own whose output is captured: sign up, sign in
(also with a wrong password), create a key, ingest with it, change the password, reset it by
email, sign in with the new one. Then the log is searched for every secret the journey used.
"""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.testing import RunningServer
from tests.support.databases import server_for
from tests.support.factories import event, unique_email
from tests.support.forms import csrf_token_of

FIRST = "first journey passphrase"
WRONG = "a wrong guess at it"
SECOND = "second journey passphrase"
THIRD = "third journey passphrase"


@pytest.fixture(scope="module")
def debug_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("debug-logs")
    outbox = data_dir / "outbox"
    outbox.mkdir()
    env = {"LOG_LEVEL": "debug", "SMTP_URL": f"file://{outbox}"}
    with server_for("sqlite", data_dir, "logs", env) as running:
        yield running


class Journey:
    """Remembers every secret the server was sent or handed out."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.client = httpx.Client(base_url=server.base_url, timeout=30)
        self.secrets: set[str] = {FIRST, WRONG, SECOND, THIRD}

    def keep_cookie(self, response: httpx.Response) -> httpx.Response:
        token = response.cookies.get(SESSION_COOKIE)
        if token:
            self.secrets.add(token)
        return response

    def form(self, page: str, action: str, **fields: str) -> httpx.Response:
        token = csrf_token_of(self.client.get(page).text)
        return self.keep_cookie(self.client.post(action, data={"csrf_token": token, **fields}))

    def reset_link(self, address: str) -> str:
        """The reset link emailed to `address` (sent after the response: wait for it)."""
        outbox = Path(str(self.server.data_dir)) / "outbox"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for path in sorted(outbox.glob("*.eml")):  # the sign-up's confirmation email too
                message = email.message_from_bytes(path.read_bytes())
                if message["To"] == address:
                    text = "".join(
                        str(part.get_payload(decode=True), "utf-8")
                        for part in message.walk()
                        if part.get_content_type() == "text/plain"
                    )
                    found = re.search(r"(/reset-password\?token=[\w-]+)", text)
                    if found:
                        return found.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no reset email to {address} in {outbox}")


def test_a_whole_journey_leaves_no_secret_in_the_debug_log(debug_server: RunningServer) -> None:
    journey = Journey(debug_server)
    address = unique_email("journey")
    signed_up = journey.form("/sign-up", "/sign-up", name="Logged", email=address, password=FIRST)
    assert signed_up.status_code == 303
    api = httpx.Client(base_url=debug_server.base_url, timeout=30)
    assert (
        api.post("/v1/auth/sign-in", json={"email": address, "password": WRONG}).status_code == 401
    )
    signed_in = journey.keep_cookie(
        api.post("/v1/auth/sign-in", json={"email": address, "password": FIRST})
    )
    assert signed_in.status_code == 200
    created = api.post(
        "/v1/api-keys",
        json={"name": "logged"},
        headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
    )
    key = created.json()["key"]
    journey.secrets.add(key)
    sent = httpx.post(
        f"{debug_server.base_url}/v1/events",
        json={"events": [event()]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert sent.status_code == 200, sent.text
    changed = journey.form(
        "/settings/profile",
        "/settings/profile/password",
        current_password=FIRST,
        new_password=SECOND,
    )
    assert changed.status_code == 303
    journey.client.cookies.clear()
    assert journey.form("/forgot-password", "/forgot-password", email=address).status_code == 303
    link = journey.reset_link(address)
    journey.secrets.add(link.split("token=")[1])
    reset = journey.form(link, "/reset-password", token=link.split("token=")[1], password=THIRD)
    assert reset.status_code == 303
    journey.client.cookies.clear()
    again = journey.form("/sign-in", "/sign-in", email=address, password=THIRD)
    assert again.status_code == 303
    api.close()
    journey.client.close()

    log = debug_server.log()
    assert "POST /v1/events" in log  # the log was captured, access lines included
    leaked = sorted(secret for secret in journey.secrets if secret in log)
    assert not leaked, f"secrets in the server log: {leaked}"
    assert key[len("llmo_sk_") :] not in log
