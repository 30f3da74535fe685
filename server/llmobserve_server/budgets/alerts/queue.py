"""Queue the alerts of a claimed crossing: one delivery per email address (the budget's list,
else the account's owners) and one for the webhook, each a row the delivery log shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.memberships import list_members
from llmobserve_server.budgets.cache import BudgetRule
from llmobserve_server.db.models import BudgetDelivery
from llmobserve_server.money import format_usd

SLACK_HOST = "hooks.slack.com"


def alert_payload(
    rule: BudgetRule,
    *,
    period: tuple[datetime, datetime],
    threshold: str,
    spent: Decimal,
    now: datetime,
) -> dict[str, Any]:
    """The facts of an alert: the webhook's JSON body, and what emails and Slack show."""
    start, end = period
    return {
        "type": "budget.exceeded" if Decimal(threshold) >= 1 else "budget.threshold_reached",
        "budget": {
            "id": str(rule.id),
            "name": rule.name,
            "scope": rule.scope.as_dict(),
            "period": rule.period,
            "amount_usd": format_usd(rule.amount_usd),
            "enforce": rule.enforce,
        },
        "threshold": float(Decimal(threshold)),
        "spent_usd": format_usd(spent),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "crossed_at": now.isoformat(),
    }


def is_slack(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == SLACK_HOST


def queue_alerts(
    db: DbSession,
    rule: BudgetRule,
    *,
    period: tuple[datetime, datetime],
    threshold: str,
    spent: Decimal,
    now: datetime,
) -> list[uuid.UUID]:
    """Add the crossing's deliveries (pending, due now); the caller commits."""
    payload = alert_payload(rule, period=period, threshold=threshold, spent=spent, now=now)
    emails = list(rule.notify_emails) or [
        member.email
        for member in list_members(db, account_id=rule.account_id)
        if member.role == "owner"
    ]
    targets = [("email", address) for address in emails]
    if rule.webhook_url:
        targets.append(("slack" if is_slack(rule.webhook_url) else "webhook", rule.webhook_url))
    deliveries = [
        BudgetDelivery(
            id=uuid.uuid4(),
            account_id=rule.account_id,
            budget_id=rule.id,
            period_start=period[0],
            threshold=threshold,
            channel=channel,
            target=target,
            payload=payload,
            state="pending",
            attempts=[],
            next_attempt_at=now,
            created_at=now,
        )
        for channel, target in targets
    ]
    db.add_all(deliveries)
    db.flush()
    return [delivery.id for delivery in deliveries]
