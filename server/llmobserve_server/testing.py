"""Run a real llmobserve server in a child process, for tests and benchmarks.

Used by the server's own suite, the SDK's tests and `bench/`; public so that users can test their
own instrumentation against a real collector too::

    from llmobserve_server.testing import run_server

    with run_server(backend="sqlite", database_url=None, data_dir=tmp_path) as server:
        urllib.request.urlopen(f"{server.base_url}/healthz")
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    backend: str  # "sqlite" or "postgresql"
    database_url: str | None  # DATABASE_URL; None for SQLite
    data_dir: Path
    log_path: Path
    port: int
    process: subprocess.Popen[bytes] = field(compare=False, repr=False)
    owner_database_url: str | None = None  # DATABASE_OWNER_URL, when the server has one

    @property
    def full_access_url(self) -> str | None:
        """The URL that sees every account's rows (the tables' owner's), for checking what the
        server stored: DATABASE_OWNER_URL, else DATABASE_URL."""
        return self.owner_database_url or self.database_url

    def database_env(self) -> dict[str, str]:
        """DATABASE_URL and DATABASE_OWNER_URL as the server has them, for running
        `llmobserve-server` commands against its database."""
        env = {"DATABASE_URL": self.database_url} if self.database_url else {}
        if self.owner_database_url:
            env["DATABASE_OWNER_URL"] = self.owner_database_url
        return env

    def log(self) -> str:
        """The server's output up to its last complete line: a line it is still writing is left
        out, so a reader never parses half of one."""
        text = self.log_path.read_text(errors="replace")
        return text[: text.rfind("\n") + 1]

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30.0) -> None:
        """Until `text` is in the log `count` times: what the server logs after an effect a test
        can see (a commit, a signal) may trail it a moment. Raises `TimeoutError` (with the
        log's tail) when it is not there within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{text!r} not logged {count}x within {timeout}s:\n{self.log_tail()}"
                )
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def run_server(
    *,
    backend: str,
    database_url: str | None,
    data_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    serve_args: Sequence[str] = (),
    startup_timeout: float = 60.0,
    owner_database_url: str | None = None,
) -> Iterator[RunningServer]:
    """`llmobserve-server serve [serve_args]` on a free port; yields once /readyz answers 200.

    `owner_database_url` becomes DATABASE_OWNER_URL (with `database_url` a role of
    `postgres_app_role`, Row Level Security holds the server). The retention and unusual-spend
    jobs are off (`RETENTION_INTERVAL_HOURS=0`, `UNUSUAL_SPEND_INTERVAL_HOURS=0`) unless
    `extra_env` sets them."""
    port = free_port()
    ignored = ("DATABASE_URL", "DATABASE_OWNER_URL", "PORT", "WEB_CONCURRENCY")
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update({"LLMOBSERVE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    # Tests send events with old timestamps: no retention run unless a test asks for one.
    env["RETENTION_INTERVAL_HOURS"] = "0"
    env["UNUSUAL_SPEND_INTERVAL_HOURS"] = "0"  # nor unusual-spend emails
    # Tests sign up on the hosted Free plan (its limits are what they check) unless `extra_env`
    # chooses another: without Stripe a server would otherwise give the self-hosted plan.
    env["DEFAULT_TIER"] = "free"
    if database_url:
        env["DATABASE_URL"] = database_url
    if owner_database_url:
        env["DATABASE_OWNER_URL"] = owner_database_url
    env.update(extra_env or {})
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    command = [sys.executable, "-m", "llmobserve_server.cli", "serve", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, *serve_args], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = RunningServer(
        f"http://127.0.0.1:{port}",
        backend,
        database_url,
        data_dir,
        log_path,
        port,
        process,
        owner_database_url,
    )
    try:
        _wait_until_healthy(server, process, startup_timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(
    server: RunningServer, process: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout}s:\n{server.log()}")


@contextmanager
def fresh_postgres_database(admin_url: str, label: str) -> Iterator[str]:
    """Create an empty database `llmo_<label>_<random>` next to `admin_url`'s, yield its URL,
    and drop it afterwards (also on errors and Ctrl-C)."""
    name = f"llmo_{label}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@dataclass(frozen=True)
class AppRole:
    """A PostgreSQL login role for a server to connect as, held by Row Level Security."""

    name: str
    password: str

    def url_for(self, database_url: str) -> str:
        """`database_url` with this role as its user."""
        url = make_url(database_url).set(username=self.name, password=self.password)
        return url.render_as_string(hide_password=False)


@contextmanager
def postgres_app_role(admin_url: str) -> Iterator[AppRole]:
    """Create a role `llmo_app_<random>` with a random password (not a superuser, no BYPASSRLS,
    owning nothing: the tables belong to `admin_url`'s role, which migrates as
    DATABASE_OWNER_URL and grants it its privileges), yield it, and drop it afterwards. Drop the
    databases it was granted privileges in first: open the role's block outside theirs.

        with postgres_app_role(admin) as role, fresh_postgres_database(admin, "x") as owner_url:
            run_server(..., database_url=role.url_for(owner_url), owner_database_url=owner_url)
    """
    role = AppRole(f"llmo_app_{uuid.uuid4().hex[:10]}", secrets.token_urlsafe(18))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD {}"
            ).format(sql.Identifier(role.name), sql.Literal(role.password))
        )
    try:
        yield role
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role.name)))
