"""A real HTTP/1.1 server on 127.0.0.1 (a thread per connection) for fake provider APIs.

A fake subclasses `FakeUpstream` and answers each `Received` request with a `JsonReply` or an
`SseReply` (server-sent events, sent as chunks; it can be cut off mid-stream to simulate a
dropped connection). Every request is kept in `requests` for the tests to look at.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fakes.local_server import LocalServer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: Any  # the JSON body, None without one


@dataclass(frozen=True)
class JsonReply:
    body: Any
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SseReply:
    events: Sequence[str]  # each a complete SSE block: "event: x\ndata: {...}\n\n"
    abort_after: int | None = None  # drop the connection after sending this many events


def sse(data: Any, event: str | None = None) -> str:
    """One server-sent event block with `data` as JSON (or as is, for a str)."""
    payload = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"


class FakeUpstream(LocalServer):
    """Base of the fake APIs: a running server at `url` that calls `answer` for each request."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        super().__init__(_Server, _Handler)

    def answer(self, request: Received) -> JsonReply | SseReply:
        raise NotImplementedError


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is fine
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()  # small writes go out at once (no Nagle delay on streamed chunks)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        upstream: FakeUpstream = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)  # absolute-form too, when a client uses us as its proxy
        request = Received(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
        )
        upstream.requests.append(request)
        reply = upstream.answer(request)
        if isinstance(reply, SseReply):
            self._stream(reply)
        else:
            self._json(reply)

    def _json(self, reply: JsonReply) -> None:
        data = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, reply: SseReply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for index, event in enumerate(reply.events):
                if reply.abort_after is not None and index >= reply.abort_after:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                data = event.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: fine
            self.close_connection = True
