"""What an alert says: the email, and the Slack message (a budget alert's words in one place)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llmobserve_server.mail import Email
from llmobserve_server.money import display_usd


def headline(payload: dict[str, Any]) -> str:
    budget = payload["budget"]
    percent = int(Decimal(str(payload["threshold"])) * 100)
    amounts = f"{display_usd(payload['spent_usd'])} of {display_usd(budget['amount_usd'])}"
    if payload["type"] == "budget.exceeded":
        return f"Budget {budget['name']} is exceeded: {amounts}"
    return f"Budget {budget['name']} reached {percent} %: {amounts}"


def describe_scope(scope: dict[str, str]) -> str:
    return ", ".join(f"{name} {value}" for name, value in scope.items()) or "the whole account"


def alert_email(to: str, payload: dict[str, Any], *, link: str) -> Email:
    budget = payload["budget"]
    return Email(
        to=to,
        subject=headline(payload),
        template="budget_alert",
        context={
            "headline": headline(payload),
            "scope": describe_scope(budget["scope"]),
            "period": budget["period"],
            "period_end": payload["period_end"][:10],
            "enforced": budget["enforce"] and payload["type"] == "budget.exceeded",
            "link": link,
        },
    )


def slack_message(payload: dict[str, Any], *, link: str) -> dict[str, Any]:
    """Slack incoming-webhook format: `text` (the notification) and one section block."""
    budget = payload["budget"]
    text = f"{headline(payload)} ({describe_scope(budget['scope'])}, this {budget['period']})"
    return {
        "text": text,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{text}*\n<{link}|Open the budget>"},
            }
        ],
    }
