"""The plans, in one place: what each subscription tier allows.

    plan = plan_for(account.subscription_tier)
    if plan.max_members is not None and members >= plan.max_members: ...

`None` means unlimited (or, for retention, set per contract). The numbers are DESIGN.md's
Plans table; the pricing page, quotas, retention and the team page all read them from here.

`self_hosted` is not a SaaS plan: it is what a server without Stripe gives new accounts
(`new_account_tier`), with no quota, no member limit and no retention until the operator sets
`RETENTION_DAYS`. It is never sold, so the pricing page leaves it out (`SAAS_PLANS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Plan:
    tier: str  # the value of accounts.subscription_tier
    name: str  # shown to people: "Free", "Pro", "Enterprise"
    events_per_month: int | None
    retention_days: int | None
    max_members: int | None
    price_usd_per_month: Decimal | None  # None: custom pricing

    def allows_members(self, count: int) -> bool:
        """Whether an account on this plan may have `count` members (pending invitations
        included)."""
        return self.max_members is None or count <= self.max_members

    def describe_member_limit(self) -> str:
        if self.max_members is None:
            return f"The {self.name} plan has no member limit."
        noun = "member" if self.max_members == 1 else "members"
        return f"The {self.name} plan includes {self.max_members} {noun}."


FREE = Plan("free", "Free", 10_000, 7, 1, Decimal("0"))
PRO = Plan("pro", "Pro", 1_000_000, 90, 5, Decimal("29"))
ENTERPRISE = Plan("enterprise", "Enterprise", None, None, None, None)
SELF_HOSTED = Plan("self_hosted", "Self-hosted", None, None, None, Decimal("0"))

SAAS_PLANS: dict[str, Plan] = {plan.tier: plan for plan in (FREE, PRO, ENTERPRISE)}
"""The plans sold through Stripe, cheapest first (the pricing page, upgrades and downgrades)."""
PLANS: dict[str, Plan] = {**SAAS_PLANS, SELF_HOSTED.tier: SELF_HOSTED}
"""Every tier an account can be on."""


def plan_for(tier: str) -> Plan:
    """The plan of a subscription tier; an unknown tier gets the Free plan's limits."""
    return PLANS.get(tier, FREE)


def new_account_tier(*, default_tier: str | None, billing_enabled: bool) -> str:
    """The tier a new account starts on: `DEFAULT_TIER` when the operator set it, else Free
    where Stripe sells the upgrades and the self-hosted plan where nothing can be bought."""
    if default_tier:
        return default_tier
    return FREE.tier if billing_enabled else SELF_HOSTED.tier


def retention_days_for(tier: str, *, self_hosted_days: int | None) -> int | None:
    """How many days of events `tier` keeps (None: all). The self-hosted plan keeps what the
    operator's `RETENTION_DAYS` says, and everything until it is set."""
    if tier == SELF_HOSTED.tier:
        return self_hosted_days
    return plan_for(tier).retention_days
