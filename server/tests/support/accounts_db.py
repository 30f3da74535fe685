"""Reading and changing the server's database directly, for what the API does not offer
(setting a plan tier before billing exists, ageing a token, checking that data is gone)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.testing import RunningServer


@contextmanager
def connect(server: RunningServer) -> Iterator[Connection]:
    settings = Settings(database_url=server.full_access_url, llmobserve_data_dir=server.data_dir)
    engine = create_db_engine(settings)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def execute(server: RunningServer, sql: str, **params: Any) -> None:
    with connect(server) as connection:
        connection.execute(text(sql), params)


def count(server: RunningServer, sql: str, **params: Any) -> int:
    with connect(server) as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def set_tier(server: RunningServer, account_id: str, tier: str) -> None:
    execute(
        server,
        "UPDATE accounts SET subscription_tier = :tier WHERE id = :id",
        tier=tier,
        id=uuid_param(server, account_id),
    )


def uuid_param(server: RunningServer, value: str) -> uuid.UUID | str:
    """A UUID as SQLAlchemy's Uuid type stores it: 32 hex digits on SQLite."""
    parsed = uuid.UUID(value)
    return parsed.hex if server.backend == "sqlite" else parsed
