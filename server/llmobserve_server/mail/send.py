"""`send_email`: render, hand to the configured transport, never raise."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from llmobserve_server.config import Settings
from llmobserve_server.mail.render import render_email
from llmobserve_server.mail.transports import transport_for

logger = logging.getLogger(__name__)


def send_email(
    settings: Settings,
    *,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
) -> bool:
    """Send one email; True when the transport accepted it. A failure (server down, timeout,
    refused recipient, bad SMTP_URL) is logged as an error and answered False."""
    try:
        message = render_email(
            sender=settings.email_from, to=to, subject=subject, template=template, context=context
        )
        transport_for(settings.smtp_url).send(message)
    except Exception:
        logger.exception("could not send the email %r to %s", subject, to)
        return False
    return True
