"""Shared by the operations tests: the metrics token of `json_server`, reading JSON log lines."""

from __future__ import annotations

import json
import time
from typing import Any

from llmobserve_server.testing import RunningServer

METRICS_TOKEN = "test-metrics-token"


def json_lines(server: RunningServer) -> list[dict[str, Any]]:
    """The server's log lines that are JSON objects (its output also holds lines written before
    logging is configured, e.g. by Python itself)."""
    records = []
    for line in server.log().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    return records


def access_lines(server: RunningServer, request_id: str) -> list[dict[str, Any]]:
    return [
        record
        for record in json_lines(server)
        if record.get("logger") == "llmobserve.access" and record.get("request_id") == request_id
    ]


def access_line(server: RunningServer, request_id: str) -> dict[str, Any]:
    """The access line of a request (written just after its response: waits for it briefly)."""
    deadline = time.monotonic() + 5
    while not (lines := access_lines(server, request_id)):
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.05)
    assert len(lines) == 1, lines
    return lines[0]
