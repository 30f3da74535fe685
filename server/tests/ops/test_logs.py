"""Structured logs: JSON lines, request ids accepted or made, and no secrets in them."""

from __future__ import annotations

import uuid

import httpx

from llmobserve_server.testing import RunningServer
from tests.ops.support import access_line, json_lines
from tests.support.factories import PASSWORD, SignedInUser, event


def test_every_log_line_after_start_is_a_json_object(json_server: RunningServer) -> None:
    httpx.get(f"{json_server.base_url}/v1/ping")
    lines = [line for line in json_server.log().splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), json_server.log_tail()
    for record in json_lines(json_server):
        assert {"timestamp", "level", "logger", "message"} <= set(record), record


def test_an_access_line_describes_the_request_and_its_account(
    json_server: RunningServer, ops_user: SignedInUser
) -> None:
    user = ops_user
    key = user.create_key()
    request_id = f"test-{uuid.uuid4().hex}"
    response = httpx.post(
        f"{json_server.base_url}/v1/events",
        json={"events": [event()]},
        headers={"Authorization": f"Bearer {key}", "X-Request-ID": request_id},
    )
    assert response.status_code == 200
    line = access_line(json_server, request_id)
    assert line["method"] == "POST"
    assert line["path"] == "/v1/events"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["client_ip"] == "127.0.0.1"
    assert line["account_id"] == user.account_id
    assert line["level"] == "INFO"


def test_a_safe_incoming_request_id_is_kept_and_returned(json_server: RunningServer) -> None:
    response = httpx.get(f"{json_server.base_url}/healthz", headers={"X-Request-ID": "lb-42.a:b"})
    assert response.headers["x-request-id"] == "lb-42.a:b"


def test_an_unsafe_incoming_request_id_is_replaced(json_server: RunningServer) -> None:
    for unsafe in ("has space", "a" * 200, "new\\nline", "<script>"):
        response = httpx.get(f"{json_server.base_url}/healthz", headers={"X-Request-ID": unsafe})
        returned = response.headers["x-request-id"]
        assert returned != unsafe
        assert len(returned) == 32 and returned.isalnum()


def test_a_request_without_an_id_gets_a_new_one_each_time(json_server: RunningServer) -> None:
    first = httpx.get(f"{json_server.base_url}/healthz").headers["x-request-id"]
    second = httpx.get(f"{json_server.base_url}/healthz").headers["x-request-id"]
    assert first != second


def test_logs_never_hold_passwords_api_keys_cookies_or_query_tokens(
    json_server: RunningServer, ops_user: SignedInUser
) -> None:
    user = ops_user
    key = user.create_key()
    session_cookie = next(iter(user.client.cookies.values()))
    with httpx.Client(base_url=json_server.base_url) as client:
        client.post("/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD})
        client.post("/v1/auth/sign-in", json={"email": user.email, "password": "wrong " + PASSWORD})
        client.post(
            "/v1/events", json={"events": [event()]}, headers={"Authorization": f"Bearer {key}"}
        )
        client.get("/v1/ping", headers={"Authorization": "Bearer llmo_sk_not_a_real_key_123"})
        client.get("/reset-password?token=very-secret-reset-token")
    user.client.get("/v1/costs")
    log = json_server.log()
    for secret in (
        PASSWORD,
        key,
        session_cookie,
        user.csrf_token,
        "llmo_sk_not_a_real_key_123",
        "very-secret-reset-token",
    ):
        assert secret not in log
