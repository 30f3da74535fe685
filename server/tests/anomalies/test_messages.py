"""How an anomaly is said, on the dashboard and in the owners' email: no database."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

from llmobserve_server.anomalies.listing import describe
from llmobserve_server.anomalies.notification import unusual_spend_email
from llmobserve_server.config import Settings
from llmobserve_server.db.models import SpendAnomaly

DAY = datetime(2026, 12, 6, tzinfo=timezone.utc)


def anomaly(customer_id: str, spent: str = "48") -> SpendAnomaly:
    return SpendAnomaly(
        id=uuid.uuid4(), account_id=uuid.uuid4(), day=DAY, model="gpt-4o",
        customer_id=customer_id, spent_usd=Decimal(spent), usual_usd=Decimal(6),
        detected_at=DAY, notified_at=None,
    )  # fmt: skip


def test_an_anomaly_names_the_model_the_customer_and_both_amounts() -> None:
    assert describe(anomaly("acme")) == "gpt-4o for acme, $48.00 vs usually $6.00"


def test_events_without_a_customer_are_their_own_series() -> None:
    assert describe(anomaly("")) == "gpt-4o without a customer, $48.00 vs usually $6.00"


def test_the_email_lists_every_anomaly_and_its_subject_names_the_first() -> None:
    email = unusual_spend_email(
        "owner@example.com", [anomaly("acme"), anomaly("globex", "20")], settings=Settings()
    )
    assert email.subject == "Unusual spend: gpt-4o for acme, $48.00 vs usually $6.00 (and 1 more)"
    assert email.context["lines"] == [
        "Dec 6: gpt-4o for acme, $48.00 vs usually $6.00",
        "Dec 6: gpt-4o for globex, $20.00 vs usually $6.00",
    ]


def test_a_customer_id_with_line_breaks_stays_on_the_subject_line() -> None:
    email = unusual_spend_email("o@example.com", [anomaly("ac\r\nBcc: x@y.z")], settings=Settings())
    assert "\n" not in email.subject and "\r" not in email.subject
