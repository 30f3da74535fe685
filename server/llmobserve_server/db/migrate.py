"""Bring the database schema up to date with Alembic, safely from several replicas at once."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.roles import describe_role, grant_privileges, warn_unless_held

logger = logging.getLogger(__name__)

# An arbitrary constant: every replica asks PostgreSQL for this advisory lock before migrating.
_MIGRATION_LOCK_ID = 7_404_240_001


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "llmobserve_server.db:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, app_role: str | None = None) -> None:
    """Run pending migrations, one process at a time: on PostgreSQL under an advisory lock held
    for the duration (replicas), on SQLite under a file lock beside the database (the worker
    processes of one machine; SQLite's own busy timeout would give up on a long migration).

    `app_role`: the PostgreSQL role the server connects as when `engine` is the tables' owner's;
    it is granted what the server needs after the upgrade (`db.roles.grant_privileges`)."""
    with _sqlite_file_lock(engine), engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
            if app_role is not None and connection.dialect.name == "postgresql":
                grant_privileges(connection, app_role)
                connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
                connection.commit()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits for the process migrating now
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_database(
    app_engine: Engine, owner_engine: Engine, *, migrate: bool = True, warn: bool = True
) -> None:
    """What a server (or `llmobserve-server migrate`) does before serving: migrate as the owner,
    grant the server's own role its privileges when it is another role, and (`warn`) log when
    Row Level Security cannot hold that role (`db.roles`)."""
    separate_owner = owner_engine is not app_engine
    if app_engine.dialect.name != "postgresql":
        if migrate:
            upgrade(owner_engine)
        return
    if migrate:
        role = describe_role(app_engine)
        upgrade(owner_engine, app_role=role.name if separate_owner else None)
    if not warn:
        return
    try:  # without migrations a server starts even while its database is away
        warn_unless_held(describe_role(app_engine), separate_owner=separate_owner)
    except SQLAlchemyError as exc:
        if migrate:
            raise
        logger.warning("could not check the database role: %s", str(exc).splitlines()[0])


def prepare_configured_database(settings: Settings, *, warn: bool = True) -> None:
    """`prepare_database` with the engines of `settings` (DATABASE_URL, DATABASE_OWNER_URL)."""
    app_engine = create_db_engine(settings)
    owner_engine = (
        create_db_engine(settings, owner=True) if settings.sqlalchemy_owner_url else app_engine
    )
    try:
        prepare_database(app_engine, owner_engine, warn=warn)
    finally:
        app_engine.dispose()
        owner_engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), revision)
        connection.commit()
