"""SIGTERM: the server stops taking connections, finishes the requests it has, exits 0."""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.support.databases import server_for
from tests.support.factories import event, sign_up


def test_a_request_in_flight_at_sigterm_gets_its_200_and_the_server_exits_0(
    backend: str, tmp_path: Path
) -> None:
    """On both databases (`backend`, from --db): the request holds a pooled connection."""
    with server_for(backend, tmp_path, "shutdown") as running:
        user = sign_up(running.base_url)
        key = user.create_key()
        user.client.close()
        body = json.dumps({"events": [event() for _ in range(200)]}).encode()
        half = len(body) // 2

        # A client on a slow link: the request has started, half of its body is still to come.
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
        connection.putrequest("POST", "/v1/events")
        connection.putheader("Authorization", f"Bearer {key}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        connection.send(body[:half])
        time.sleep(0.3)

        running.process.send_signal(signal.SIGTERM)
        running.wait_for_log("Shutting down", timeout=10)
        with pytest.raises(httpx.ConnectError):  # no new connections
            httpx.get(f"{running.base_url}/healthz")

        connection.send(body[half:])
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read()) == {"accepted": 200, "duplicates": 0, "rejected": []}
        connection.close()

        assert running.process.wait(timeout=30) == 0
        assert "Application shutdown complete" in running.log()
