"""The whole suite's settings: cheap password hashing, and how pytest-xdist splits the tests.

`make test` runs `pytest -n 2 --dist loadscope` (pyproject.toml): each worker is a process of
its own with its own session fixtures (servers, fake upstreams, databases), and gets whole
modules, so a module's module- and session-scoped servers start once on the worker that runs it.
The browser tests are one group: one worker, one Chromium. `pytest -n 0` runs serially.
See docs/contributing.md ("Running the tests").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.support.pool import ServerPool

# Before any server code is imported (and inherited by every server a test starts): argon2id at
# its minimum cost. A production server refuses this profile; the production parameters are
# asserted in server/tests/accounts/test_password_hash_profiles.py.
# `LLMOBSERVE_PASSWORD_HASH_PROFILE=production pytest …` runs the suite with the real ones.
os.environ.setdefault("LLMOBSERVE_PASSWORD_HASH_PROFILE", "test")


def _share_default_ssl_contexts() -> None:
    """Build httpx's default TLS context once per process instead of once per client.

    Every `httpx.Client()` (each `httpx.get`, each sign-up's client, each provider library's
    client) loads certifi's CA bundle into a new `ssl.SSLContext`: ~50 ms of CPU, a few thousand
    times per run, for a context the suite's plain-HTTP requests to 127.0.0.1 never use. Here the
    default one (`verify=True`, no client certificate) is made once per set of arguments and CA
    environment and shared; anything else is built as before. httpx2 is anthropic's copy of
    httpx; either one without `create_ssl_context` in its transports is left alone.
    """
    import importlib

    for name in ("httpx._transports.default", "httpx2._transports.default"):
        try:
            transports = importlib.import_module(name)
        except ImportError:
            continue
        build = getattr(transports, "create_ssl_context", None)
        if build is not None and not getattr(build, "shared_by_the_suite", False):
            transports.create_ssl_context = _sharing(build)


def _sharing(build: Callable[..., Any]) -> Callable[..., Any]:
    made: dict[tuple[object, ...], Any] = {}

    def create_ssl_context(*args: Any, **kwargs: Any) -> Any:
        if args or kwargs.get("verify", True) is not True or kwargs.get("cert") is not None:
            return build(*args, **kwargs)
        ca = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        key = (*sorted(kwargs.items()), ca)
        if key not in made:
            made[key] = build(**kwargs)
        return made[key]

    create_ssl_context.shared_by_the_suite = True  # type: ignore[attr-defined]
    return create_ssl_context


_share_default_ssl_contexts()


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
