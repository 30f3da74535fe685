"""The plans, in one place: what each subscription tier allows.

    plan = plan_for(account.subscription_tier)
    if plan.max_members is not None and members >= plan.max_members: ...

`None` means unlimited (or, for retention, set per contract). The numbers are DESIGN.md's
Plans table; the pricing page, quotas, retention and the team page all read them from here.
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

PLANS: dict[str, Plan] = {plan.tier: plan for plan in (FREE, PRO, ENTERPRISE)}


def plan_for(tier: str) -> Plan:
    """The plan of a subscription tier; an unknown tier gets the Free plan's limits."""
    return PLANS.get(tier, FREE)
