"""Test databases: a fresh PostgreSQL database per test run, or a SQLite file in a temp dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from llmobserve_server import testing

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
