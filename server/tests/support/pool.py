"""The servers a worker shares between its tests: one per backend and settings.

A test that only needs an account on a server with given settings asks the pool
(`server_pool.get(backend, env)`, a session fixture of the root conftest.py) instead of starting
its own: the server fixtures `server`, `mail_server` and `billing_server` and the SDK's
`collector` all come from here, so a worker starts each distinct server once, however its tests
are spread over modules and suites. Each test isolates itself by signing up its own account.

Start a server of your own (`tests.support.databases.server_for`) when the test changes
something every test of that server would see (stops it, drops its database, runs a job over all
accounts, reads its whole log).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from llmobserve_server.testing import RunningServer
from tests.support.databases import server_for


class ServerPool:
    def __init__(self, data_root: Path) -> None:
        self._data_root = data_root
        self._servers: dict[tuple[str, tuple[tuple[str, str], ...]], RunningServer] = {}
        self._running = ExitStack()

    def get(self, backend: str, extra_env: Mapping[str, str] | None = None) -> RunningServer:
        """The worker's server on `backend` with `extra_env`, started at the first request."""
        key = (backend, tuple(sorted((extra_env or {}).items())))
        if key not in self._servers:
            data_dir = self._data_root / f"{backend}-{len(self._servers)}"
            self._servers[key] = self._running.enter_context(
                server_for(backend, data_dir, "pool", extra_env)
            )
        return self._servers[key]

    def close(self) -> None:
        """Stop every server (and drop their databases)."""
        self._running.close()
