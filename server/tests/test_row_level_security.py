"""Row Level Security on PostgreSQL (migration 009, `db.scope`): the database's net under the
application's own `WHERE account_id`.

The suite's PostgreSQL servers connect as a role that does not own the tables, with the owner
in DATABASE_OWNER_URL (`tests/support/databases.py`), as production should: every other test
runs under these policies too. SQLite has no RLS; there the queries' own filters isolate
accounts (`test_isolation.py` checks them on both databases).
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.accounts.api_keys import authenticate_key
from llmobserve_server.accounts.sessions import (
    SESSION_COOKIE,
    SessionLifetime,
    find_active_session,
)
from llmobserve_server.config import Settings
from llmobserve_server.db.base import Base
from llmobserve_server.db.engine import create_db_engine, create_session_factory
from llmobserve_server.db.migrate import prepare_database
from llmobserve_server.db.models import ApiKey, Membership, TraceEvent
from llmobserve_server.db.roles import describe_role
from llmobserve_server.db.scope import scope_session
from llmobserve_server.testing import RunningServer
from tests.support.databases import database_for
from tests.support.factories import SignedInUser, custom_event, key_client, send

migration = importlib.import_module(
    "llmobserve_server.db.migrations.versions.009_add_row_level_security"
)
# Later migrations that add account-scoped tables give them the same policy.
_LATER = (
    importlib.import_module(
        "llmobserve_server.db.migrations.versions.013_budgets_add_budgets_and_alerts"
    ),
    importlib.import_module("llmobserve_server.db.migrations.versions.015_forecast_anomalies"),
)
ACCOUNT_SCOPED_TABLES = tuple(
    sorted(
        migration.ACCOUNT_SCOPED_TABLES + tuple(t for m in _LATER for t in m.ACCOUNT_SCOPED_TABLES)
    )
)

# Row Level Security is PostgreSQL's; SQLite relies on the queries' own account filters.
pytestmark = pytest.mark.postgresql_only


@dataclass(frozen=True)
class Tenant:
    account_id: uuid.UUID
    key: str
    session_token: str
    event_ids: frozenset[uuid.UUID]


@pytest.fixture
def pg_server(server: RunningServer) -> RunningServer:
    assert server.backend == "postgresql"
    return server


def _settings(server: RunningServer, **overrides: object) -> Settings:
    return Settings(
        database_url=server.database_url,
        database_owner_url=server.owner_database_url,
        llmobserve_data_dir=server.data_dir,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
def app_engine(pg_server: RunningServer) -> Iterator[Engine]:
    """The server's own engine: DATABASE_URL's role, held by the policies."""
    engine = create_db_engine(_settings(pg_server, db_pool_size=1))
    yield engine
    engine.dispose()


@pytest.fixture
def app_sessions(app_engine: Engine) -> sessionmaker[DbSession]:
    """The server's own session machinery (the factory `create_app` uses)."""
    return create_session_factory(app_engine)


@pytest.fixture
def owner_engine(pg_server: RunningServer) -> Iterator[Engine]:
    engine = create_db_engine(_settings(pg_server), owner=True)
    yield engine
    engine.dispose()


def _tenant(base_url: str, user: SignedInUser) -> Tenant:
    key = user.create_key()
    events = [custom_event("0.5", run_id=f"run-{uuid.uuid4().hex}") for _ in range(2)]
    with key_client(base_url, key) as client:
        send(client, *events)
    token = user.client.cookies.get(SESSION_COOKIE)
    assert token
    return Tenant(
        uuid.UUID(user.account_id), key, token, frozenset(uuid.UUID(e["id"]) for e in events)
    )


@pytest.fixture
def tenants(pg_server: RunningServer, user: SignedInUser, other_user: SignedInUser) -> list[Tenant]:
    return [_tenant(pg_server.base_url, user), _tenant(pg_server.base_url, other_user)]


def _unscoped_event_ids(db: DbSession) -> set[uuid.UUID]:
    """Every event the session can see: deliberately no `WHERE account_id`."""
    return set(db.scalars(select(TraceEvent.id)))


def test_an_unscoped_query_after_api_key_authentication_returns_only_the_keys_account(
    app_sessions: sessionmaker[DbSession], tenants: list[Tenant]
) -> None:
    a, b = tenants
    with app_sessions() as db:
        authenticate_key(db, a.key)
        in_the_same_transaction = _unscoped_event_ids(db)
        db.commit()
        in_the_next_transaction = _unscoped_event_ids(db)
    assert in_the_same_transaction == in_the_next_transaction == a.event_ids
    assert not in_the_same_transaction & b.event_ids


def test_an_unscoped_query_after_session_authentication_returns_only_the_sessions_account(
    app_sessions: sessionmaker[DbSession], tenants: list[Tenant]
) -> None:
    a, _b = tenants
    with app_sessions() as db:
        session = find_active_session(db, a.session_token, SessionLifetime.of(Settings()))
        assert session is not None
        assert _unscoped_event_ids(db) == a.event_ids
        assert {key.account_id for key in db.scalars(select(ApiKey))} == {a.account_id}
        assert {m.account_id for m in db.scalars(select(Membership))} == {a.account_id}


def test_with_no_account_set_every_account_scoped_table_shows_no_rows_not_all_rows(
    app_sessions: sessionmaker[DbSession], owner_engine: Engine, tenants: list[Tenant]
) -> None:
    with app_sessions() as db:
        assert _unscoped_event_ids(db) == set()
        seen = {
            table: db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ACCOUNT_SCOPED_TABLES
        }
    assert seen == dict.fromkeys(ACCOUNT_SCOPED_TABLES, 0)
    with owner_engine.connect() as connection:  # the rows are there: the owner sees them
        stored = set(connection.execute(select(TraceEvent.id)).scalars())
    assert tenants[0].event_ids | tenants[1].event_ids <= stored


def test_a_pooled_connection_does_not_carry_an_account_into_the_next_session(
    app_sessions: sessionmaker[DbSession], tenants: list[Tenant]
) -> None:
    a, _b = tenants
    with app_sessions() as first:
        authenticate_key(first, a.key)
        backend = first.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert _unscoped_event_ids(first) == a.event_ids
        first.commit()
    with app_sessions() as second:  # the pool has one connection: the same one
        assert second.execute(text("SELECT pg_backend_pid()")).scalar_one() == backend
        assert _unscoped_event_ids(second) == set()


def test_the_policy_refuses_to_write_or_change_another_accounts_rows(
    app_sessions: sessionmaker[DbSession], owner_engine: Engine, tenants: list[Tenant]
) -> None:
    a, b = tenants
    with app_sessions() as db:
        scope_session(db, account_id=a.account_id)
        changed = db.execute(
            update(TraceEvent).where(TraceEvent.account_id == b.account_id).values(name="x")
        )
        deleted = db.execute(delete(TraceEvent).where(TraceEvent.account_id == b.account_id))
        assert (changed.rowcount, deleted.rowcount) == (0, 0)  # type: ignore[attr-defined]
        db.commit()
        db.add(_event(account_id=b.account_id))
        with pytest.raises(DBAPIError, match="row-level security"):
            db.flush()
        db.rollback()
        # Moving one of its own rows into another account is refused as well (WITH CHECK).
        with pytest.raises(DBAPIError, match="row-level security"):
            db.execute(
                update(TraceEvent)
                .where(TraceEvent.id.in_(a.event_ids))
                .values(account_id=b.account_id)
            )
    with owner_engine.connect() as connection:
        names = connection.execute(
            select(TraceEvent.account_id).where(TraceEvent.id.in_(a.event_ids | b.event_ids))
        ).scalars()
        assert sorted(map(str, names)) == sorted([str(a.account_id)] * 2 + [str(b.account_id)] * 2)


def _event(*, account_id: uuid.UUID) -> TraceEvent:
    now = datetime.now(timezone.utc)
    return TraceEvent(
        account_id=account_id,
        id=uuid.uuid4(),
        timestamp=now,
        received_at=now,
        run_id="planted",
        span_id="planted",
        cost_usd=Decimal("1"),
        cost_source="client",
    )


def test_the_servers_role_is_held_by_the_policies_and_cannot_lift_them(
    pg_server: RunningServer, app_engine: Engine
) -> None:
    role = describe_role(app_engine)
    assert role.held_by_rls, role
    assert "Row Level Security is not enforced" not in pg_server.log()
    for statement in (
        "ALTER TABLE trace_events DISABLE ROW LEVEL SECURITY",
        "DROP POLICY account_isolation ON trace_events",
        "SET ROLE postgres",
    ):
        with app_engine.connect() as connection, pytest.raises(DBAPIError):
            connection.execute(text(statement))


def test_every_table_with_an_account_id_has_a_policy_or_a_stated_reason() -> None:
    with_account_id = {t.name for t in Base.metadata.sorted_tables if "account_id" in t.columns}
    scoped, exempt = set(ACCOUNT_SCOPED_TABLES), set(migration.NOT_ACCOUNT_SCOPED)
    assert with_account_id == scoped | exempt
    assert not scoped & exempt


def test_every_account_scoped_table_has_row_level_security_in_the_database(
    owner_engine: Engine,
) -> None:
    with owner_engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:names) AND relkind = 'r'"
            ),
            {"names": list(ACCOUNT_SCOPED_TABLES)},
        ).all()
        policies = {
            (row[0], row[1])
            for row in connection.execute(text("SELECT tablename, policyname FROM pg_policies"))
        }
    # Enabled, not forced: the owner (migrations, jobs, the operator's paths) sees every row.
    assert sorted(tuple(row) for row in tables) == [
        (name, True, False) for name in ACCOUNT_SCOPED_TABLES
    ]
    assert policies == {(t, "account_isolation") for t in ACCOUNT_SCOPED_TABLES} | {
        ("memberships", "own_memberships")
    }


def test_a_single_role_install_is_warned_that_row_level_security_is_not_enforced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with database_for("postgresql", "single_role") as url:
        engine = create_db_engine(Settings(database_url=url))
        try:
            with caplog.at_level(logging.WARNING, logger="llmobserve_server.db.roles"):
                prepare_database(engine, engine)
        finally:
            engine.dispose()
    assert "Row Level Security is not enforced" in caplog.text
    assert "DATABASE_OWNER_URL" in caplog.text
