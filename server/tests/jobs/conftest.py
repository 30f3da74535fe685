"""A migrated database of the test's own per backend: retention deletes across accounts, so it
never runs on the suite's shared server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import upgrade
from tests.conftest import require_postgres
from tests.support.databases import fresh_postgres_database


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    if backend == "sqlite":
        yield Settings(database_url=None, llmobserve_data_dir=tmp_path)
        return
    require_postgres()
    with fresh_postgres_database("jobs") as url:
        yield Settings(database_url=url, llmobserve_data_dir=tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    upgrade(engine)
    yield engine
    engine.dispose()
