"""Tell each account's owners about its unusual spend: one email per account listing the
anomalies not yet told, through the server's mail transport (`mail.deliver`). An anomaly is
marked told once every owner's email went out; one that failed is tried again at the job's next
run (so a failing SMTP server delays the email, and it is never lost)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.accounts.memberships import list_members
from llmobserve_server.anomalies.listing import describe
from llmobserve_server.config import Settings
from llmobserve_server.db.models import SpendAnomaly
from llmobserve_server.mail.outgoing import Email, deliver


def notify_owners(sessions: sessionmaker[DbSession], settings: Settings, *, now: datetime) -> int:
    """Email every account with anomalies not yet told; how many emails went out. `sessions`
    must see every account (the tables' owner)."""
    with sessions() as db:
        pending: dict[uuid.UUID, list[SpendAnomaly]] = defaultdict(list)
        for anomaly in db.scalars(
            select(SpendAnomaly)
            .where(SpendAnomaly.notified_at.is_(None))
            .order_by(SpendAnomaly.day, SpendAnomaly.spent_usd.desc(), SpendAnomaly.id)
        ):
            pending[anomaly.account_id].append(anomaly)
        sent = 0
        for account_id, anomalies in pending.items():
            owners = [
                member.email
                for member in list_members(db, account_id=account_id)
                if member.role == "owner"
            ]
            emails = [unusual_spend_email(owner, anomalies, settings=settings) for owner in owners]
            delivered = [deliver(settings, email) for email in emails]
            sent += sum(delivered)
            if all(delivered):
                for anomaly in anomalies:
                    anomaly.notified_at = now
                db.commit()
    return sent


def unusual_spend_email(to: str, anomalies: list[SpendAnomaly], *, settings: Settings) -> Email:
    first = anomalies[0]
    subject = f"Unusual spend: {describe(first)}"
    if len(anomalies) > 1:
        subject += f" (and {len(anomalies) - 1} more)"
    return Email(
        to=to,
        subject=" ".join(subject.split()),  # a customer id's line breaks never reach a header
        template="unusual_spend",
        context={
            "lines": [f"{a.day:%b} {a.day.day}: {describe(a)}" for a in anomalies],
            "link": settings.public_url.rstrip("/") + "/",
        },
    )
