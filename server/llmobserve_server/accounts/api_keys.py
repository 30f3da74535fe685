"""API keys: `llmo_sk_` followed by 256 random bits; only the sha256 of a key is stored."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Select, String, bindparam, column, func, select, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from llmobserve_server.accounts.tokens import digests_match, random_token, sha256_hex
from llmobserve_server.db.models import Account, ApiKey, User
from llmobserve_server.db.scope import remember_scope
from llmobserve_server.domain_errors import Forbidden, NotFound, Unauthorized

KEY_PREFIX = "llmo_sk_"
ACCOUNT_DISABLED = "account_disabled"
_DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 4
# last_used_at is written at most this often per key, never once per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    key: str  # shown once, never stored
    api_key: ApiKey


@dataclass(frozen=True)
class KeyOwner:
    api_key: ApiKey
    account: Account


def generate_key() -> str:
    return KEY_PREFIX + random_token(32)


def create_api_key(
    db: DbSession, *, account_id: uuid.UUID, created_by: uuid.UUID | None, name: str
) -> CreatedKey:
    key = generate_key()
    api_key = ApiKey(
        account_id=account_id,
        created_by=created_by,
        key_hash=sha256_hex(key),
        key_prefix=key[:_DISPLAY_PREFIX_LENGTH],
        key_last4=key[-4:],
        name=name,
        created_at=datetime.now(timezone.utc),
    )
    db.add(api_key)
    db.flush()
    return CreatedKey(key=key, api_key=api_key)


def list_api_keys(db: DbSession, *, account_id: uuid.UUID) -> list[ApiKey]:
    return list(
        db.scalars(
            select(ApiKey)
            .where(ApiKey.account_id == account_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
    )


def creators_of(db: DbSession, keys: list[ApiKey]) -> dict[uuid.UUID, User]:
    """The users who created these keys, by id (a key made before creators were shown, or by a
    deleted user, has none)."""
    ids = {key.created_by for key in keys if key.created_by is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.scalars(select(User).where(User.id.in_(ids)))}


def live_keys_by_creator(db: DbSession, *, account_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """How many unrevoked keys each member created in the account (the team page warns that
    removing someone revokes them)."""
    rows = db.execute(
        select(ApiKey.created_by, func.count())
        .where(
            ApiKey.account_id == account_id,
            ApiKey.revoked_at.is_(None),
            ApiKey.created_by.is_not(None),
        )
        .group_by(ApiKey.created_by)
    )
    return {creator: count for creator, count in rows if creator is not None}


def revoke_keys_created_by(
    db: DbSession, *, account_id: uuid.UUID, user_id: uuid.UUID
) -> list[ApiKey]:
    """Revoke every live key `user_id` created in `account_id`, when they leave it or are removed
    or deleted: a key must not outlive its creator's access. Returns the keys revoked, for the
    audit log. The caller commits, in the transaction that ends the membership."""
    keys = list(
        db.scalars(
            select(ApiKey)
            .where(
                ApiKey.account_id == account_id,
                ApiKey.created_by == user_id,
                ApiKey.revoked_at.is_(None),
            )
            .order_by(ApiKey.created_at, ApiKey.id)
        )
    )
    now = datetime.now(timezone.utc)
    for key in keys:
        key.revoked_at = now
    db.flush()
    return keys


def find_active_key(db: DbSession, *, account_id: uuid.UUID, key: str) -> ApiKey | None:
    """The account's unrevoked key whose plaintext is `key`, or None. Lets a page that was handed
    a key it just showed (and never stored) check that the key is still this account's."""
    api_key = db.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(key)))
    if api_key is None or api_key.account_id != account_id or api_key.revoked_at is not None:
        return None
    return api_key


@dataclass(frozen=True)
class Revocation:
    api_key: ApiKey
    changed: bool  # False: the key was revoked already (revoking is idempotent)


def revoke_api_key(db: DbSession, *, account_id: uuid.UUID, key_id: uuid.UUID) -> Revocation:
    api_key = db.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.account_id == account_id))
    if api_key is None:
        raise NotFound("not_found", "API key not found.")
    if api_key.revoked_at is not None:
        return Revocation(api_key, changed=False)
    api_key.revoked_at = datetime.now(timezone.utc)
    return Revocation(api_key, changed=True)


def account_disabled_error() -> Forbidden:
    """The 403 every key of an account disabled by an operator gets (see `admin.moderation`)."""
    return Forbidden(
        ACCOUNT_DISABLED,
        "This account has been disabled by the operator of this llmobserve server, so its API "
        "keys are refused and nothing was stored. Contact the operator to have it re-enabled.",
    )


def authenticate_key(db: DbSession, key: str, *, record_use: bool = True) -> KeyOwner:
    """The key's account, or Unauthorized saying whether the key is unknown or revoked (403
    `account_disabled` when an operator disabled the account). With `record_use=False` nothing
    is written: the caller records the use (`record_key_use`) in a transaction of its own."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized(
            "invalid_api_key", f"API keys start with {KEY_PREFIX}. Check LLMOBSERVE_API_KEY."
        )
    key_hash = sha256_hex(key)
    statement = _key_and_account(db.get_bind().dialect.name)
    row = db.execute(statement, {"key_hash": key_hash}).first()
    # The lookup is by digest (an index cannot leak the key); compare again in constant time.
    if row is None or not digests_match(row[0].key_hash, key_hash):
        raise Unauthorized("invalid_api_key", "Unknown API key. Create one in Settings → API keys.")
    api_key, account = row[0], row[1]
    if api_key.revoked_at is not None:
        raise Unauthorized(
            "api_key_revoked", "API key revoked. Create a new one in Settings → API keys."
        )
    if account.disabled_at is not None:  # read by the same query: no extra trip on ingest
        raise account_disabled_error()
    # On PostgreSQL the lookup already scoped this transaction to the account; later ones too.
    remember_scope(db, account_id=account.id)
    if record_use:
        record_key_use(db, api_key)
    return KeyOwner(api_key=api_key, account=account)


@functools.cache
def _key_and_account(dialect: str) -> Select[ApiKey, Account]:
    """The key with the digest `:key_hash` and its account, built once per dialect (building the
    statement cost more than running it, on every ingest batch). Before the key is found no
    account is known, so Row Level Security would show no key: on PostgreSQL the key comes from
    the owner's narrow lookup function (migration 009), which also makes its account the
    transaction's, so that ingestion's batch needs no statement of its own to set it."""
    key_hash = bindparam("key_hash", type_=String)
    if dialect != "postgresql":
        return (
            select(ApiKey, Account)
            .join(Account, Account.id == ApiKey.account_id)
            .where(ApiKey.key_hash == key_hash)
        )
    found = func.llmobserve_api_key_by_hash(key_hash).table_valued(
        *(column(c.name, c.type) for c in ApiKey.__table__.columns), name="api_keys"
    )
    key = aliased(ApiKey, found, adapt_on_names=True)
    return select(key, Account).join(Account, Account.id == key.account_id)


def key_use_due(api_key: ApiKey) -> bool:
    """Whether the key's last_used_at is older than it is kept to (a write a minute at most)."""
    last = api_key.last_used_at
    return last is None or datetime.now(timezone.utc) - last >= LAST_USED_RESOLUTION


def record_key_use(db: DbSession, api_key: ApiKey) -> None:
    """Move the key's last_used_at to now, when it is due (`key_use_due`)."""
    if not key_use_due(api_key):
        return
    now = datetime.now(timezone.utc)
    db.execute(update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now))
    api_key.last_used_at = now
