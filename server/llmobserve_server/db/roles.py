"""The server's PostgreSQL role: what it is granted, and whether Row Level Security holds it.

With DATABASE_OWNER_URL set, migrations run as the tables' owner and then grant DATABASE_URL's
role what the server needs (`grant_privileges`, idempotent, after every upgrade): read and write
on the tables, the sequences, and the lookup functions of migration 009. That role must not own
the tables, be a superuser or have BYPASSRLS, or the policies do not apply to it; `describe_role`
tells, and the server warns at start when they do not (docs/operations.md#row-level-security).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

logger = logging.getLogger(__name__)

DOCS = "docs/self-hosting/postgresql.md#the-database-and-its-two-roles"


@dataclass(frozen=True)
class DatabaseRole:
    name: str
    superuser: bool
    bypasses_rls: bool
    owns_tables: bool

    @property
    def held_by_rls(self) -> bool:
        return not (self.superuser or self.bypasses_rls or self.owns_tables)

    def why_not_held(self) -> str:
        reasons = [
            reason
            for reason, applies in (
                ("owns the tables", self.owns_tables),
                ("is a superuser", self.superuser),
                ("has BYPASSRLS", self.bypasses_rls),
            )
            if applies
        ]
        return " and ".join(reasons)


def describe_role(engine: Engine) -> DatabaseRole:
    """The role `engine` connects as (PostgreSQL only)."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT current_user, rolsuper, rolbypassrls, EXISTS ("
                "  SELECT 1 FROM pg_tables"
                "  WHERE schemaname = current_schema() AND tableowner = current_user"
                ") FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
    return DatabaseRole(name=row[0], superuser=row[1], bypasses_rls=row[2], owns_tables=row[3])


def grant_privileges(connection: Connection, role: str) -> None:
    """Give `role` what the server does with the schema of `connection` (the owner's), and not
    more: no DDL, no TRUNCATE, no writing the migration version. Idempotent."""
    preparer = connection.dialect.identifier_preparer
    schema = preparer.quote(connection.execute(text("SELECT current_schema()")).scalar_one())
    grantee = preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"REVOKE INSERT, UPDATE, DELETE ON {schema}.alembic_version FROM {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
    ):
        connection.execute(text(statement))
    functions = connection.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND p.proname LIKE 'llmobserve\\_%'"
        )
    ).scalars()
    for function in functions:
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {grantee}"))


def warn_unless_held(role: DatabaseRole, *, separate_owner: bool) -> None:
    """Log, at start, that Row Level Security is only the second line when it cannot hold."""
    if role.held_by_rls:
        return
    if separate_owner:
        advice = (
            "DATABASE_URL must name a role that does not own the tables, is not a superuser "
            "and has no BYPASSRLS"
        )
    else:
        advice = (
            "set DATABASE_URL to a role that does not own the tables and DATABASE_OWNER_URL to "
            "the owner"
        )
    logger.warning(
        "Row Level Security is not enforced: the server's PostgreSQL role %s %s, so only the "
        "application's own account filters isolate accounts. To add the database's: %s (%s).",
        role.name,
        role.why_not_held(),
        advice,
        DOCS,
    )
