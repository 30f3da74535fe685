"""A collector that answers whatever a test scripts: a real TCP server on 127.0.0.1 that reads
each `POST /v1/events` (gzipped JSON) and writes back raw bytes, so that an answer can be
anything a broken or wrong server sends: HTML, bad JSON, a 50 MB body, a connection cut short.

    collector = ScriptedCollector(lambda count: json_answer({"accepted": count, ...}))
    collector.url, collector.requests  # the event counts of the requests received, in order

The script gets the number of events in the request and returns the bytes to send (sent, then
the connection is closed), or a callable that writes to the socket itself.
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
from collections.abc import Callable
from typing import Any, Union

from fakes.local_server import LocalServer

Writer = Callable[[socket.socket], None]
Script = Callable[[int], Union[bytes, Writer]]


def raw_answer(
    status: str, body: bytes, content_type: str = "application/json", **headers: str
) -> bytes:
    """A complete HTTP/1.1 answer: `raw_answer("200 OK", b"...")`."""
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode() + body


def json_answer(body: Any, status: str = "200 OK") -> bytes:
    return raw_answer(status, json.dumps(body).encode())


class ScriptedCollector(LocalServer):
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[int] = []
        super().__init__(_Server, _Handler)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        collector: ScriptedCollector = self.server.owner  # type: ignore[attr-defined]
        length = 0
        while True:
            line = self.rfile.readline(65536)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = self.rfile.read(length)
        events = json.loads(gzip.decompress(body))["events"] if body else []
        collector.requests.append(len(events))
        answer = collector.script(len(events))
        try:
            if callable(answer):
                answer(self.connection)
            else:
                self.connection.sendall(answer)
        except OSError:  # the client stopped reading (as it should for a huge answer)
            pass
