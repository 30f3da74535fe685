"""A database session on the running test server's database, to call the analytics functions
directly on data that went in through the real ingest API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine, create_session_factory
from llmobserve_server.testing import RunningServer


@pytest.fixture
def db(server: RunningServer) -> Iterator[DbSession]:
    settings = Settings(database_url=server.full_access_url, llmobserve_data_dir=server.data_dir)
    engine = create_db_engine(settings)
    with create_session_factory(engine)() as session:
        yield session
    engine.dispose()
