"""Changing an account's plan from the console: `billing.tier_change.set_tier`, committed, then
an email to the account's owners about the new plan (as `set-tier` and Stripe's webhooks do).

A Stripe subscription is not touched: an account that pays through Stripe and is moved here
keeps being billed until it is canceled in Stripe (the console says so next to the form).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.stripe_emails import notify_owners
from llmobserve_server.billing.stripe_webhooks import Outcome
from llmobserve_server.billing.tier_change import TierChange, set_tier
from llmobserve_server.config import Settings


def change_tier(
    settings: Settings, db: DbSession, *, account_id: uuid.UUID, tier: str
) -> TierChange:
    """Put the account on `tier` and commit; email its owners when the plan really changed.
    Raises `TierChangeError` (unknown account or tier) before changing anything."""
    change = set_tier(db, tier=tier, account_id=account_id)
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
                new_tier=change.account.subscription_tier,
            ),
        )
    return change
