"""`LocalServer`: what the fake servers share: a `socketserver` server on 127.0.0.1 (a free port),
served on a daemon thread, whose request handlers reach the fake as `self.server.owner`."""

from __future__ import annotations

import socketserver
import threading


class LocalServer:
    def __init__(
        self,
        server_class: type[socketserver.TCPServer],
        handler_class: type[socketserver.BaseRequestHandler],
    ) -> None:
        self._server = server_class(("127.0.0.1", 0), handler_class)
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
