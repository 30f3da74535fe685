"""A fault-injecting HTTP proxy: a real threaded HTTP server on 127.0.0.1 that forwards to the
real collector, and can be told to fail in the ways a network and a collector fail.

    proxy.fail(500, times=3)             answer 500 to the next 3 requests
    proxy.fail(429, headers={"Retry-After": "1"})
    proxy.delay(2.0)                     hold every request 2 s, then forward it
    proxy.drop_response(times=1)         forward, let the collector store, answer nothing
    proxy.stop() / proxy.start()         refuse connections / accept them again (same port)

Every request to /v1/events is recorded (time, headers, decoded events, status answered).
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Recorded:
    at: float  # time.monotonic() when the request arrived
    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    events: list[dict[str, Any]]
    status: int | None = None  # what the client was answered; None: nothing (dropped)


@dataclass
class _Fault:
    kind: str  # "fail" | "drop"
    times: int | None  # None: until cleared
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FaultyProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._delay = 0.0
        self._released = threading.Event()  # ends every pending delay (at close)
        self.requests: list[Recorded] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control ---------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        payload = json.dumps(body or {"error": {"code": "injected", "message": "injected fault"}})
        with self._lock:
            self._faults.append(_Fault("fail", times, status, headers or {}, payload.encode()))

    def drop_response(self, *, times: int | None = 1) -> None:
        with self._lock:
            self._faults.append(_Fault("drop", times))

    def delay(self, seconds: float) -> None:
        self._delay = seconds

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
        self._delay = 0.0

    def events_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/events"]

    def start(self) -> None:
        """Listen (again, on the same port once it had one)."""
        proxy = self

        class Handler(_Handler):
            owner = proxy

        server = _QuietServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket: new connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def close(self) -> None:
        self._released.set()
        self.stop()

    # -- the handler's side ----------------------------------------------------------------

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.pop(0)
            return fault

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (the SDK gave up, or its process ended) is not an error."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class _Handler(BaseHTTPRequestHandler):
    owner: FaultyProxy

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        proxy = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        recorded = Recorded(
            time.monotonic(), self.command, self.path, dict(self.headers), body, _events(body)
        )
        proxy._record(recorded)
        if proxy._delay:
            proxy._released.wait(proxy._delay)
        fault = proxy._next_fault() if self.path == "/v1/events" else None
        if fault is not None and fault.kind == "fail":
            recorded.status = fault.status
            self._answer(fault.status, list(fault.headers.items()), fault.body)
            return
        status, upstream_headers, data = proxy._forward(self.command, self.path, headers, body)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # the answer is lost on the way back
            return
        recorded.status = status
        kept = [(k, v) for k, v in upstream_headers if k.lower() not in _HOP_BY_HOP]
        self._answer(status, kept, data)

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-type" for name, _ in headers):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _events(body: bytes) -> list[dict[str, Any]]:
    if not body:
        return []
    try:
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        events = json.loads(body).get("events", [])
        return list(events) if isinstance(events, list) else []
    except (ValueError, OSError, AttributeError):
        return []
