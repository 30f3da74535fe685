"""Deliver queued alerts: once right after the commit that queued them (a background task, the
client never waits), then by the delivery job (`run_due_deliveries`, every minute) with backoff
until 24 hours after the crossing; every attempt is appended to the delivery's log.

An attempt first takes a lease on the delivery (a conditional UPDATE of `next_attempt_at`), so
that the background task, the job and other replicas never send the same alert at once.
Webhooks never follow redirects (a redirect could point into the operator's network).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import BackgroundTasks, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.budgets.alerts.messages import alert_email, slack_message
from llmobserve_server.budgets.alerts.signing import SIGNATURE_HEADER, sign
from llmobserve_server.budgets.alerts.targets import RefusedTarget, check_before_sending
from llmobserve_server.config import Settings
from llmobserve_server.db.models import Budget, BudgetDelivery
from llmobserve_server.mail import deliver

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
LEASE = timedelta(minutes=5)  # longer than one attempt can take
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
)
WEBHOOK_TIMEOUT_SECONDS = 10
_DUE_PER_RUN = 200


def deliver_in_background(
    request: Request, background: BackgroundTasks, deliveries: Sequence[uuid.UUID]
) -> None:
    """Attempt `deliveries` after the response is sent."""
    if deliveries:
        background.add_task(
            attempt_all,
            request.app.state.system_session_factory,
            request.app.state.settings,
            tuple(deliveries),
        )


def attempt_all(
    session_factory: sessionmaker[DbSession], settings: Settings, ids: Sequence[uuid.UUID]
) -> None:
    """Attempt each delivery; never raises (it runs after a response, or in a job)."""
    for delivery_id in ids:
        try:
            attempt(session_factory, settings, delivery_id)
        except Exception:
            logger.exception("budget alert delivery %s failed unexpectedly", delivery_id)


def run_due_deliveries(
    session_factory: sessionmaker[DbSession], settings: Settings, *, now: datetime | None = None
) -> int:
    """Attempt every pending delivery that is due; the number attempted. `session_factory`
    must see every account (the tables' owner): this is the job's cross-account path."""
    now = now or datetime.now(timezone.utc)
    with session_factory() as db:
        due = list(
            db.scalars(
                select(BudgetDelivery.id)
                .where(BudgetDelivery.state == "pending", BudgetDelivery.next_attempt_at <= now)
                .order_by(BudgetDelivery.next_attempt_at)
                .limit(_DUE_PER_RUN)
            )
        )
    for delivery_id in due:
        try:
            attempt(session_factory, settings, delivery_id, now=now)
        except Exception:
            logger.exception("budget alert delivery %s failed unexpectedly", delivery_id)
    return len(due)


def attempt(
    session_factory: sessionmaker[DbSession],
    settings: Settings,
    delivery_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> bool | None:
    """One attempt: True delivered, False failed (retried later or given up), None when the
    delivery was not due or another process holds its lease."""
    now = now or datetime.now(timezone.utc)
    with session_factory() as db:
        leased = db.execute(
            update(BudgetDelivery)
            .where(
                BudgetDelivery.id == delivery_id,
                BudgetDelivery.state == "pending",
                BudgetDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
        )
        db.commit()
        if leased.rowcount != 1:  # type: ignore[attr-defined]
            return None
        delivery = db.get(BudgetDelivery, delivery_id)
        budget = db.get(Budget, delivery.budget_id) if delivery else None
        if delivery is None or budget is None:
            return None
        channel, target, payload = delivery.channel, delivery.target, delivery.payload
        secret = budget.webhook_secret or ""
    link = f"{settings.public_url.rstrip('/')}/budgets/{payload['budget']['id']}"
    status: int | None = None
    error: str | None = None
    if channel == "email":
        ok = deliver(settings, alert_email(target, payload, link=link))
        error = None if ok else "the mail transport did not accept the message"
    else:
        body = slack_message(payload, link=link) if channel == "slack" else payload
        status, error = post_webhook(
            target, body, secret=secret, production=settings.production, now=now
        )
    _record(session_factory, delivery_id, now=now, status=status, error=error)
    return error is None


def post_webhook(
    url: str, payload: dict[str, Any], *, secret: str, production: bool, now: datetime
) -> tuple[int | None, str | None]:
    """POST the JSON body, signed; (HTTP status or None, error or None on a 2xx)."""
    try:
        check_before_sending(url, production=production)
    except RefusedTarget as exc:
        return None, f"refused: {exc}"
    body = json.dumps(payload, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "llmobserve-budget-alerts",
            SIGNATURE_HEADER: sign(secret, body, timestamp=int(now.timestamp())),
        },
    )
    try:
        with _OPENER.open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is answered as an HTTPError: a failed attempt


_OPENER = urllib.request.build_opener(_NoRedirects)


def _record(
    session_factory: sessionmaker[DbSession],
    delivery_id: uuid.UUID,
    *,
    now: datetime,
    status: int | None,
    error: str | None,
) -> None:
    with session_factory() as db:
        delivery = db.get(BudgetDelivery, delivery_id)
        if delivery is None:
            return
        attempts = [
            *delivery.attempts,
            {"at": now.isoformat(), "ok": error is None, "status": status, "error": error},
        ]
        delivery.attempts = attempts
        delivery.last_error = error
        if error is None:
            delivery.state, delivery.next_attempt_at = "delivered", None
        else:
            retry_at = now + BACKOFF[min(len(attempts), len(BACKOFF)) - 1]
            if retry_at - delivery.created_at > GIVE_UP_AFTER:
                delivery.state, delivery.next_attempt_at = "failed", None
            else:
                delivery.next_attempt_at = retry_at
        db.commit()
