"""Fixtures: a real server per database backend, and signed-in users against it.

`--db sqlite|postgresql|all` picks the backends (default: all). With CI set, an unreachable
PostgreSQL fails the run instead of skipping its half.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, sign_up
from tests.support.mail import mail_server, mailbox  # noqa: F401  (fixtures)
from tests.support.pool import ServerPool

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="all",
        choices=["sqlite", "postgresql", "all"],
        help="database backend(s) to run the server tests on",
    )


def selected_backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--db")
    return list(BACKENDS) if chosen == "all" else [chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = selected_backends(metafunc.config)
        if metafunc.definition.get_closest_marker("postgresql_only"):
            backends = [backend for backend in backends if backend == "postgresql"]
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(scope="session")
def server(backend: str, server_pool: ServerPool) -> RunningServer:
    """One running server per backend, shared by the tests: they isolate by signing up anew."""
    return server_pool.get(backend)


@pytest.fixture
def base_url(server: RunningServer) -> str:
    return server.base_url


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture
def user(base_url: str) -> Iterator[SignedInUser]:
    signed_in = sign_up(base_url)
    yield signed_in
    signed_in.client.close()


@pytest.fixture
def other_user(base_url: str) -> Iterator[SignedInUser]:
    signed_in = sign_up(base_url)
    yield signed_in
    signed_in.client.close()


@pytest.fixture
def api_key(user: SignedInUser) -> str:
    return user.create_key()


@pytest.fixture
def keyed(base_url: str, api_key: str) -> Iterator[httpx.Client]:
    """A client that authenticates with `user`'s API key."""
    with httpx.Client(
        base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {api_key}"}
    ) as client:
        yield client


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
