"""Which account (and user) a database session acts for: the net under the `WHERE account_id`.

On PostgreSQL every account-scoped table has a Row Level Security policy that shows and accepts
only rows of the account in the transaction-local setting `llmobserve.account_id` (memberships
also the rows of `llmobserve.user_id`); with no setting, no rows (migration 009). The server's
own role does not own the tables, so the policies hold for it. Authentication scopes the
request's session once it knows who is calling:

    session = find_active_session(db, token)   # calls scope_session(db, account_id=…, user_id=…)
    db.scalars(select(TraceEvent))             # only that account's events, even without a WHERE

The scope lives in `db.info` and is written with `set_config(…, true)` at the start of every
transaction of the session (an `after_begin` listener), so it ends with the transaction and a
pooled connection never carries one request's account into the next. On SQLite the scope is
only remembered: the queries' own `WHERE account_id` is the isolation there.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import SessionTransaction, sessionmaker

ACCOUNT_SETTING = "llmobserve.account_id"
USER_SETTING = "llmobserve.user_id"
_ACCOUNT_KEY = "llmobserve_account_id"
_USER_KEY = "llmobserve_user_id"

_SET_SCOPE = text(
    f"SELECT set_config('{ACCOUNT_SETTING}', :account_id, true), "
    f"set_config('{USER_SETTING}', :user_id, true)"
)


def install_scoping(session_factory: sessionmaker[DbSession]) -> None:
    """Apply each session's scope at the start of each of its transactions."""
    event.listen(session_factory, "after_begin", _apply_scope)


def scope_session(
    db: DbSession, *, account_id: uuid.UUID | None, user_id: uuid.UUID | None = None
) -> None:
    """Act for `account_id` (and `user_id`) from now on: in the transaction under way, if any,
    and in every later one of this session."""
    remember_scope(db, account_id=account_id, user_id=user_id)
    if db.in_transaction():
        connection = db.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(_SET_SCOPE, _parameters(db))


def remember_scope(
    db: DbSession, *, account_id: uuid.UUID | None, user_id: uuid.UUID | None = None
) -> None:
    """Like `scope_session` for later transactions only: for a statement that already set the
    scope of the one under way (the API key lookup, `accounts.api_keys`)."""
    db.info[_ACCOUNT_KEY] = account_id
    db.info[_USER_KEY] = user_id


def scoped_account(db: DbSession) -> uuid.UUID | None:
    account_id = db.info.get(_ACCOUNT_KEY)
    return account_id if isinstance(account_id, uuid.UUID) else None


def scoped_user(db: DbSession) -> uuid.UUID | None:
    user_id = db.info.get(_USER_KEY)
    return user_id if isinstance(user_id, uuid.UUID) else None


def _parameters(db: DbSession) -> dict[str, str]:
    account_id, user_id = db.info.get(_ACCOUNT_KEY), db.info.get(_USER_KEY)
    return {"account_id": str(account_id or ""), "user_id": str(user_id or "")}


def _apply_scope(
    session: DbSession, _transaction: SessionTransaction, connection: Connection
) -> None:
    # An unscoped session sends nothing: its transaction starts with no account, so it sees no
    # account-scoped rows, and the API key lookup that scopes it costs no extra round trip.
    if connection.dialect.name != "postgresql":
        return
    if session.info.get(_ACCOUNT_KEY) is None and session.info.get(_USER_KEY) is None:
        return
    connection.execute(_SET_SCOPE, _parameters(session))
