"""Usage emails: the account's owners hear once a month when its events reach 80 % and 100 % of
the plan's quota.

    alerts = alerts_due(account_id=account.id, plan=plan, stored=stored)  # pure arithmetic
    if alerts is not None:
        background.add_task(send_usage_alerts, session_factory, settings, alerts, link=link)

Which batch crosses a threshold is exact: the month's count comes back from the counter's upsert
under its row lock, so the batches' [before, after] intervals tile the month and exactly one of
them contains each threshold. `usage_alerts_sent` is the claim on top (`INSERT … ON CONFLICT DO
NOTHING`, committed before the email goes), so two replicas, a plan change or a repeated call
still send each email at most once. A failed delivery is logged and not retried.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.accounts.memberships import list_members
from llmobserve_server.billing.plans import Plan
from llmobserve_server.billing.quota import next_month_start
from llmobserve_server.config import Settings
from llmobserve_server.db.models import UsageAlertSent
from llmobserve_server.db.scope import scope_session
from llmobserve_server.ingest.service import StoredBatch
from llmobserve_server.mail import send_email

logger = logging.getLogger(__name__)

THRESHOLDS = (80, 100)  # percent of the month's quota
_ALERTS: Table = UsageAlertSent.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class DueAlerts:
    """The thresholds one batch crossed, to be emailed after its commit."""

    account_id: uuid.UUID
    plan: Plan
    month: datetime
    used: int  # the month's count right after the batch
    thresholds: tuple[int, ...]


def alerts_due(*, account_id: uuid.UUID, plan: Plan, stored: StoredBatch) -> DueAlerts | None:
    """The thresholds `stored` crossed (its count went from below to at or above them)."""
    limit = plan.events_per_month
    if limit is None or stored.used_after is None:
        return None
    before, after = stored.used_after - stored.counted, stored.used_after
    crossed = tuple(t for t in THRESHOLDS if before * 100 < t * limit <= after * 100)
    if not crossed:
        return None
    return DueAlerts(account_id, plan, stored.month, after, crossed)


def claim_alert(
    db: DbSession, *, account_id: uuid.UUID, month: datetime, threshold: int, now: datetime
) -> bool:
    """Record the alert as sent; False when it already was (by this or another process)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_ALERTS)
        .values(account_id=account_id, month=month, threshold_percent=threshold, sent_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "month", "threshold_percent"])
        .returning(_ALERTS.c.threshold_percent)
    )
    return db.execute(statement).first() is not None


def send_usage_alerts(
    session_factory: sessionmaker[DbSession], settings: Settings, alerts: DueAlerts, *, link: str
) -> None:
    """Claim each threshold, then email every owner of the account. Runs after the batch's
    response (a background task): it never raises, so a mail or database problem cannot reach
    the client."""
    try:
        for threshold in alerts.thresholds:
            with session_factory() as db:
                scope_session(db, account_id=alerts.account_id)
                if not claim_alert(
                    db,
                    account_id=alerts.account_id,
                    month=alerts.month,
                    threshold=threshold,
                    now=datetime.now(timezone.utc),
                ):
                    logger.info(
                        "usage alert at %s %% of account %s: already sent this month",
                        threshold,
                        alerts.account_id,
                    )
                    continue
                owners = [
                    m.email
                    for m in list_members(db, account_id=alerts.account_id)
                    if m.role == "owner"
                ]
                db.commit()
            sent = sum(_send_one(settings, email, alerts, threshold, link) for email in owners)
            logger.info(
                "usage alert at %s %% of account %s: emailed %s of %s owners",
                threshold,
                alerts.account_id,
                sent,
                len(owners),
            )
    except Exception:
        logger.exception("could not send the usage emails of account %s", alerts.account_id)


def _send_one(settings: Settings, to: str, alerts: DueAlerts, threshold: int, link: str) -> bool:
    plan = alerts.plan
    assert plan.events_per_month is not None
    limit = f"{plan.events_per_month:,}"
    subject = (
        f"You have used all {limit} events of your {plan.name} plan this month"
        if threshold >= 100
        else f"You have used {threshold} % of your {plan.name} plan's events this month"
    )
    return send_email(
        settings,
        to=to,
        subject=subject,
        template=f"usage_{threshold}",
        context={
            "plan": plan.name,
            "used": f"{alerts.used:,}",
            "limit": limit,
            "threshold": threshold,
            "resets_on": next_month_start(alerts.month).strftime("%B %-d, %Y"),
            "link": link,
        },
    )
