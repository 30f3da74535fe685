"""Test data: signed-up users, API keys and events, created through the real HTTP API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class SignedInUser:
    """A user signed in over HTTP: `client` carries the session cookie and the CSRF header."""

    client: httpx.Client
    email: str
    user_id: str
    account_id: str
    csrf_token: str

    def create_key(self, name: str = "test key") -> str:
        response = self.client.post("/v1/api-keys", json={"name": name})
        assert response.status_code == 201, response.text
        return str(response.json()["key"])


def sign_up(base_url: str, *, email: str | None = None, password: str = PASSWORD) -> SignedInUser:
    client = httpx.Client(base_url=base_url, timeout=30)
    email = email or unique_email()
    response = client.post(
        "/v1/auth/sign-up", json={"email": email, "password": password, "name": "Test User"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return SignedInUser(client, email, body["user"]["id"], body["account_id"], body["csrf_token"])


def key_client(base_url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {key}"})


def event(**fields: Any) -> dict[str, Any]:
    """A valid wire-format event; keyword arguments override or add fields."""
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "provider": "openai",
        "model": "gpt-4o-mini",
        "operation": "chat",
        "input_tokens": 1000,
        "output_tokens": 100,
    }
    base.update(fields)
    return base


def custom_event(cost_usd: str, **fields: Any) -> dict[str, Any]:
    """An event for a model no catalogue knows, priced exactly by the client's `cost_usd`."""
    return event(**{"provider": "custom", "model": "my-model", "cost_usd": cost_usd, **fields})


def send(client: httpx.Client, *events: dict[str, Any]) -> None:
    """POST the events with an API-key client and require every one of them to be accepted."""
    response = client.post("/v1/events", json={"events": list(events)})
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": len(events), "duplicates": 0, "rejected": []}


def error_of(response: httpx.Response, status: int) -> dict[str, str]:
    """The response's error object, after checking the status and the one error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message"}, body
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    return dict(error)
