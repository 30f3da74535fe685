"""The client address the app sees (logs, sign-in throttling) is the forwarded one only when
the request comes from a trusted proxy (FORWARDED_ALLOW_IPS)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from llmobserve_server.testing import RunningServer
from tests.ops.support import access_line
from tests.support.databases import server_for
from tests.support.factories import unique_email


def _client_ip_seen(server: RunningServer, headers: dict[str, str]) -> object:
    request_id = uuid.uuid4().hex
    httpx.get(f"{server.base_url}/v1/ping", headers={**headers, "X-Request-ID": request_id})
    return access_line(server, request_id)["client_ip"]


def test_a_trusted_proxy_forwards_the_client_address(json_server: RunningServer) -> None:
    # The suite's server trusts 127.0.0.1, the default of FORWARDED_ALLOW_IPS.
    seen = _client_ip_seen(json_server, {"X-Forwarded-For": "203.0.113.7"})
    assert seen == "203.0.113.7"


def test_only_the_address_the_trusted_proxy_saw_counts(json_server: RunningServer) -> None:
    # A client can put anything first; the proxy appends the address it really saw.
    seen = _client_ip_seen(json_server, {"X-Forwarded-For": "10.6.6.6, 198.51.100.23"})
    assert seen == "198.51.100.23"


def test_forwarded_headers_from_an_untrusted_address_are_ignored(tmp_path: Path) -> None:
    env = {"LOG_FORMAT": "json", "FORWARDED_ALLOW_IPS": "192.0.2.1"}
    with server_for("sqlite", tmp_path, "proxy", env) as running:
        seen = _client_ip_seen(running, {"X-Forwarded-For": "203.0.113.7"})
    assert seen == "127.0.0.1"


def test_sign_in_throttling_counts_failures_per_forwarded_client(
    json_server: RunningServer,
) -> None:
    attacker = {"X-Forwarded-For": "203.0.113.99"}
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:

        def failed_sign_in(headers: dict[str, str]) -> int:
            body = {"email": unique_email("guess"), "password": "not the password"}
            return client.post("/v1/auth/sign-in", json=body, headers=headers).status_code

        statuses = [failed_sign_in(attacker) for _ in range(30)]
        assert set(statuses) == {401}
        assert failed_sign_in(attacker) == 429
        assert failed_sign_in({"X-Forwarded-For": "198.51.100.5"}) == 401  # someone else
