"""Accounts on the real collector, created and read over its HTTP API like a user would."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


@dataclass
class Account:
    """A signed-up account with one API key. `session` carries the cookie and CSRF header;
    `api` authenticates with the key."""

    base_url: str
    key: str
    key_id: str
    session: httpx.Client
    api: httpx.Client

    def run(self, run_id: str) -> dict[str, Any]:
        response = self.api.get(f"/v1/runs/{run_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def runs(self) -> list[dict[str, Any]]:
        response = self.api.get("/v1/runs", params={"limit": 200})
        assert response.status_code == 200, response.text
        return list(response.json()["runs"])

    def costs(self, group_by: str = "provider") -> dict[str, Any]:
        response = self.api.get("/v1/costs", params={"group_by": group_by})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def total_events(self) -> int:
        return int(self.costs()["total_events"])

    def revoke_key(self) -> None:
        response = self.session.delete(f"/v1/api-keys/{self.key_id}")
        assert response.status_code == 204, response.text

    def close(self) -> None:
        self.session.close()
        self.api.close()


def sign_up(base_url: str) -> Account:
    session = httpx.Client(base_url=base_url, timeout=30)
    email = f"sdk-{uuid.uuid4().hex[:12]}@example.com"
    response = session.post(
        "/v1/auth/sign-up", json={"email": email, "password": PASSWORD, "name": "SDK Test"}
    )
    assert response.status_code == 201, response.text
    session.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    response = session.post("/v1/api-keys", json={"name": "sdk tests"})
    assert response.status_code == 201, response.text
    key = response.json()
    api = httpx.Client(
        base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {key['key']}"}
    )
    return Account(base_url, key["key"], key["id"], session, api)


def eventually(check: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.05) -> T:
    """Retry `check` (an assertion-raising callable) until it passes or `timeout` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(interval)
