"""Fixtures for the docs tests: one real server (SQLite) for the module, the SDK suite's fake
provider APIs, and a fresh account per sample (runner.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The fake upstream servers live in the SDK's test suite (imported there as `fakes.…`).
sys.path.insert(0, str(Path(__file__).parents[3] / "sdk" / "python" / "tests"))

pytest.register_assert_rewrite("tests.docs.checks", "tests.docs.runner")

from llmobserve_server.testing import RunningServer, run_server  # noqa: E402
from tests.docs.runner import Preloader, Upstreams, upstreams  # noqa: E402


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("docs-server")
    with run_server(backend="sqlite", database_url=None, data_dir=data_dir) as server:
        yield server


@pytest.fixture(scope="module")
def fake_upstreams() -> Iterator[Upstreams]:
    with upstreams() as fakes:
        yield fakes


@pytest.fixture
def fresh_upstreams(fake_upstreams: Upstreams) -> Upstreams:
    fake_upstreams.reset()
    return fake_upstreams


@pytest.fixture(scope="module")
def preloader() -> Iterator[Preloader]:
    running = Preloader()
    yield running
    running.close()
