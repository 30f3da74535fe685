"""Row Level Security on PostgreSQL: every account-scoped table shows and accepts only the rows
of the transaction's account.

Each table below gets `ENABLE ROW LEVEL SECURITY` (not FORCE: the owner, which migrations, jobs
and the operator's paths connect as, keeps seeing everything) and a policy `account_isolation`
with `USING` and `WITH CHECK (account_id = NULLIF(current_setting('llmobserve.account_id',
true), '')::uuid)`: a transaction that set no account sees no rows and can write none, and one
that set an account can neither read nor write another's. `memberships` also shows a user their
own rows (`llmobserve.user_id`), so that the account switcher can list them; that second policy
is for SELECT only, so joining an account still needs that account's scope.

Two lookups happen before the account is known, by the sha256 of a secret the caller holds:
an API key and an invitation. They are SECURITY DEFINER functions owned by the tables' owner,
each returning at most the one row with that digest (knowing it is knowing the 256-bit secret,
so the function reveals nothing the caller could not already use) with `search_path` pinned.
`llmobserve_api_key_by_hash` also sets an unrevoked key's account for the rest of the
transaction, so that ingestion's key lookup scopes its batch without an extra round trip. A
narrow policy (a row visible when its hash equals a setting) would have needed that extra
statement to set it.

The server's role is granted its privileges by `llmobserve_server.db.roles` after every
upgrade: migrations cannot know its name. SQLite has no RLS: nothing happens there.

Revision ID: 009
Revises: 008
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "009"
down_revision = "008"
branch_labels = None
depends_on = None

# Every table with an account_id but `sessions` (a user's sign-in, looked up by its token before
# anything else is known; it holds no account data). `tests/test_row_level_security.py` fails
# when a model with an account_id is in neither list.
ACCOUNT_SCOPED_TABLES = (
    "api_keys",
    "audit_events",
    "invitations",
    "memberships",
    "model_prices",
    "runs",
    "trace_events",
    "usage_alerts_sent",
    "usage_daily",
    "usage_hourly",
    "usage_monthly",
)
NOT_ACCOUNT_SCOPED = ("sessions",)

ACCOUNT = "NULLIF(current_setting('llmobserve.account_id', true), '')::uuid"
USER = "NULLIF(current_setting('llmobserve.user_id', true), '')::uuid"

_API_KEY_LOOKUP = """
CREATE FUNCTION llmobserve_api_key_by_hash(p_key_hash text) RETURNS SETOF api_keys
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    k api_keys;
BEGIN
    SELECT * INTO k FROM api_keys WHERE api_keys.key_hash = p_key_hash;
    IF k.id IS NOT NULL THEN
        IF k.revoked_at IS NULL THEN
            PERFORM set_config('llmobserve.account_id', k.account_id::text, true);
        END IF;
        RETURN NEXT k;
    END IF;
END
$$
"""

_INVITATION_LOOKUP = """
CREATE FUNCTION llmobserve_invitation_by_token_hash(p_token_hash text)
RETURNS SETOF invitations
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT * FROM invitations WHERE invitations.token_hash = p_token_hash
$$
"""

FUNCTIONS = ("llmobserve_api_key_by_hash(text)", "llmobserve_invitation_by_token_hash(text)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in ACCOUNT_SCOPED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY account_isolation ON {table} "
            f"USING (account_id = {ACCOUNT}) WITH CHECK (account_id = {ACCOUNT})"
        )
    op.execute(f"CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = {USER})")
    schema = bind.execute(text("SELECT current_schema()")).scalar_one()
    quoted = bind.dialect.identifier_preparer.quote(schema)
    for definition in (_API_KEY_LOOKUP, _INVITATION_LOOKUP):
        op.execute(definition.format(schema=quoted))
    for function in FUNCTIONS:  # executable by the server's role only (db/roles.py grants it)
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP POLICY own_memberships ON memberships")
    for table in ACCOUNT_SCOPED_TABLES:
        op.execute(f"DROP POLICY account_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
