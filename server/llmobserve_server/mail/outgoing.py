"""`Email`: a message the domain composed, handed to `deliver` by whoever runs the action.

The module that owns an action composes its email (`accounts.password_resets.reset_email`,
`accounts.invitations.invitation_email`, …): recipient, subject, template and the facts it
shows. Page and API handlers only decide when to send it (after the commit, often in a
background task) and give the server's public address for links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llmobserve_server.config import Settings
from llmobserve_server.mail.send import send_email


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    template: str  # mail/templates/<template>.txt and .html
    context: Mapping[str, Any]


def deliver(settings: Settings, email: Email) -> bool:
    """Send a composed email; like `send_email`, never raises (False when it was not sent)."""
    return send_email(
        settings, to=email.to, subject=email.subject, template=email.template, context=email.context
    )
