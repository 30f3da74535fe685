"""Operator console tests: staff users on the suite's server, and a seeded database of the
module's own for the cross-account statistics (they read every account, so they never run
against the shared server's database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import upgrade
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import execute, uuid_param
from tests.support.databases import database_for
from tests.support.factories import SignedInUser, sign_up


def make_staff(server: RunningServer, user: SignedInUser) -> SignedInUser:
    """`user`, made staff in the server's database (the CLI's own tests go through the CLI)."""
    execute(
        server,
        "UPDATE users SET is_staff = :yes WHERE id = :id",
        yes=True,
        id=uuid_param(server, user.user_id),
    )
    return user


@pytest.fixture
def staff(server: RunningServer) -> Iterator[SignedInUser]:
    """A signed-in staff user (with an account of their own, like every user)."""
    user = make_staff(server, sign_up(server.base_url))
    yield user
    user.client.close()


@pytest.fixture(scope="module")
def seeded_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of the module's own per backend, seeded by the module's fixture."""
    with database_for(backend, "admin") as url:
        settings = Settings(
            database_url=url, llmobserve_data_dir=tmp_path_factory.mktemp(f"admin-{backend}")
        )
        engine = create_db_engine(settings)
        upgrade(engine)
        yield engine
        engine.dispose()
