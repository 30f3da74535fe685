"""Test databases: a fresh PostgreSQL database per test run, or a SQLite file in a temp dir."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from llmobserve_server import testing
from llmobserve_server.accounts.passwords import PROFILE_VARIABLE
from llmobserve_server.testing import AppRole, RunningServer, run_server

# A bound, not an expectation: on a loaded 2-core machine a start has taken over a minute.
STARTUP_TIMEOUT = 300.0
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> str | None:
    """None when PostgreSQL answers at ADMIN_URL, else why not."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {ADMIN_URL}: {exc}".strip()


@contextmanager
def fresh_postgres_database(label: str = "test") -> Iterator[str]:
    """An empty database on the test server for the duration of the block."""
    with testing.fresh_postgres_database(ADMIN_URL, label) as url:
        yield url


def require_postgres() -> None:
    """Skip the test when PostgreSQL is not reachable; with CI set, fail it instead."""
    problem = postgres_available()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI is set: PostgreSQL is required)")
    pytest.skip(problem)


@contextmanager
def database_for(backend: str, label: str) -> Iterator[str | None]:
    """The DATABASE_URL of a fresh database for `backend`: None for SQLite (the embedded default,
    under the caller's data directory), a new PostgreSQL database otherwise."""
    if backend == "sqlite":
        yield None
        return
    require_postgres()
    with fresh_postgres_database(label) as url:
        yield url


@contextmanager
def app_role() -> Iterator[AppRole]:
    """A role of its own for a server on a database of this run (see `server_for`)."""
    with testing.postgres_app_role(ADMIN_URL) as role:
        yield role


@contextmanager
def server_for(
    backend: str, data_dir: Path, label: str, extra_env: Mapping[str, str] | None = None
) -> Iterator[RunningServer]:
    """A real server on a fresh database of `backend`, for the duration of the block.

    On PostgreSQL it runs as production should: DATABASE_URL is a role of its own that does not
    own the tables (so Row Level Security holds it) and DATABASE_OWNER_URL the owner, which
    migrates. `server.full_access_url` sees every account's rows. A server with
    LLMOBSERVE_ENV=production hashes passwords with the production parameters (it refuses the
    suite's cheap profile, see conftest.py)."""
    env = dict(extra_env or {})
    if env.get("LLMOBSERVE_ENV") == "production":
        env.setdefault(PROFILE_VARIABLE, "")
    if backend == "sqlite":
        with run_server(
            backend=backend,
            database_url=None,
            data_dir=data_dir,
            extra_env=env,
            startup_timeout=STARTUP_TIMEOUT,
        ) as running:
            yield running
        return
    require_postgres()
    with app_role() as role, fresh_postgres_database(label) as owner_url:
        with run_server(
            backend=backend,
            database_url=role.url_for(owner_url),
            owner_database_url=owner_url,
            data_dir=data_dir,
            extra_env=env,
            startup_timeout=STARTUP_TIMEOUT,
        ) as running:
            yield running
