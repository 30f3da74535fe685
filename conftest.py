"""The whole suite's settings: cheap password hashing, and how pytest-xdist splits the tests.

`make test` runs `pytest -n 2 --dist loadscope` (pyproject.toml): each worker is a process of
its own with its own session fixtures (servers, fake upstreams, databases), and gets whole
modules, so a module's module- and session-scoped servers start once on the worker that runs it.
The browser tests are one group: one worker, one Chromium. `pytest -n 0` runs serially.
See docs/contributing.md ("Running the tests").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.pool import ServerPool

# Before any server code is imported (and inherited by every server a test starts): argon2id at
# its minimum cost. A production server refuses this profile; the production parameters are
# asserted in server/tests/accounts/test_password_hash_profiles.py.
# `LLMOBSERVE_PASSWORD_HASH_PROFILE=production pytest …` runs the suite with the real ones.
os.environ.setdefault("LLMOBSERVE_PASSWORD_HASH_PROFILE", "test")


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """This worker's shared servers (server/tests/support/pool.py)."""
    from tests.support.pool import ServerPool

    pool = ServerPool(tmp_path_factory.mktemp("pool"))
    try:
        yield pool
    finally:
        pool.close()


# Test ids (not paths on disk) of the tests that share one browser: they run on one worker.
BROWSER_TESTS = "server/tests/web/browser/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`--dist loadscope`, with every browser test in one scope. Other modes are left as asked."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return BROWSER_TESTS
            return str(super()._split_scope(nodeid))

    return BrowserTestsTogether(config, log)
