"""Telling an account's owners what Stripe changed: the plan (up or down) or a failed payment.

Called after the webhook's transaction commits, so that an email never announces a change that
was rolled back; `send_email` never raises, so a mail outage cannot make Stripe retry an event
that was already applied.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.plans import PLANS, Plan, plan_for
from llmobserve_server.billing.stripe_webhooks import Outcome
from llmobserve_server.config import Settings
from llmobserve_server.db.models import Account, Membership, User
from llmobserve_server.mail import send_email


def owner_emails(db: DbSession, account: Account) -> list[str]:
    return list(
        db.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.account_id == account.id, Membership.role == "owner")
            .order_by(User.email)
        )
    )


def limits_of(plan: Plan) -> str:
    """One line: "1,000,000 events a month, 90 days of history, up to 5 members"."""
    events = (
        "unlimited events"
        if plan.events_per_month is None
        else (f"{plan.events_per_month:,} events a month")
    )
    if plan.tier == "self_hosted":
        retention = "history kept as long as this server's operator sets"
    elif plan.retention_days is None:
        retention = "custom retention"
    else:
        retention = f"{plan.retention_days} days of history"
    members = (
        "unlimited members"
        if plan.max_members is None
        else (f"up to {plan.max_members} member{'s' if plan.max_members != 1 else ''}")
    )
    return f"{events}, {retention}, {members}"


def notify_owners(settings: Settings, db: DbSession, outcome: Outcome) -> int:
    """Email every owner about `outcome` (nothing for a duplicate or a no-op); how many sent."""
    if outcome.duplicate or outcome.account_id is None:
        return 0
    account = db.get(Account, outcome.account_id)
    if account is None:
        return 0
    billing_url = f"{settings.public_url}/settings/billing"
    if outcome.plan_changed and outcome.old_tier and outcome.new_tier:
        old, new = plan_for(outcome.old_tier), plan_for(outcome.new_tier)
        tiers = list(PLANS)  # cheapest first
        upgraded = tiers.index(new.tier) > tiers.index(old.tier)
        subject = f"{account.name} is now on the llmobserve {new.name} plan"
        template = "plan_changed"
        context: dict[str, object] = {
            "account": account.name,
            "old_plan": old.name,
            "new_plan": new.name,
            "limits": limits_of(new),
            "upgraded": upgraded,
            "retention_days": new.retention_days,
            "link": billing_url,
        }
    elif outcome.payment_failed:
        subject = f"Payment failed for {account.name} on llmobserve"
        template = "payment_failed"
        context = {
            "account": account.name,
            "plan": plan_for(account.subscription_tier).name,
            "invoice_url": outcome.invoice_url,
            "link": billing_url,
        }
    else:
        return 0
    sent = 0
    for address in owner_emails(db, account):
        sent += send_email(
            settings, to=address, subject=subject, template=template, context=context
        )
    return sent
