"""Alembic environment: runs on the connection handed over by `llmobserve_server.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from llmobserve_server.db import models  # noqa: F401  (registers the tables)
from llmobserve_server.db.base import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with `llmobserve-server migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
