"""Changing an account's plan from the console: `billing.tier_change.change_tier` (which writes
the account's audit log, with the staff member as the actor), committed, then an email to the
account's owners about the new plan (as `set-tier` and Stripe's webhooks do).

A Stripe subscription is not touched: an account that pays through Stripe and is moved here
keeps being billed until it is canceled in Stripe (the console says so next to the form).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.audit import Actor
from llmobserve_server.billing.stripe_emails import notify_owners
from llmobserve_server.billing.stripe_webhooks import Outcome
from llmobserve_server.billing.tier_change import TierChange, TierChangeError, change_tier
from llmobserve_server.config import Settings
from llmobserve_server.db.models import Account


def change_plan(
    settings: Settings, db: DbSession, *, account_id: uuid.UUID, tier: str, actor: Actor
) -> TierChange:
    """Put the account on `tier` and commit; email its owners when the plan really changed.
    Raises `TierChangeError` (unknown account or tier) before changing anything."""
    account = db.get(Account, account_id)
    if account is None:
        raise TierChangeError(f"No account has the id {account_id}.")
    change = change_tier(db, account=account, tier=tier, actor=actor, reason="operator console")
    db.commit()
    if change.changed:
        notify_owners(
            settings,
            db,
            Outcome(
                event_id="admin",
                event_type="admin",
                account_id=account_id,
                old_tier=change.old_tier,
                new_tier=account.subscription_tier,
            ),
        )
    return change
