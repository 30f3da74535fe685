"""Sending email: password resets, invitations, usage alerts.

    from llmobserve_server.mail import send_email

    sent = send_email(
        settings,
        to="ada@example.com",
        subject="Reset your llmobserve password",
        template="password_reset",  # mail/templates/password_reset.txt and .html
        context={"link": link},
    )

Where mail goes is `SMTP_URL` (see `transports.transport_for`): an SMTP server, a directory of
`.eml` files, or, when unset, the server's log (so that `make run` users can copy a link from
the terminal). `send_email` never raises: it logs a failure and returns False, so a page can
show a neutral message instead of a 500. Call it after the database commit, and from a
background task when the request must not wait for the SMTP server.
"""

from llmobserve_server.config import Settings
from llmobserve_server.mail.outgoing import Email, deliver
from llmobserve_server.mail.render import render_email
from llmobserve_server.mail.send import send_email
from llmobserve_server.mail.transports import MailConfigError, transport_for

__all__ = [
    "Email",
    "MailConfigError",
    "deliver",
    "render_email",
    "send_email",
    "sends_email",
    "transport_for",
]


def sends_email(settings: Settings) -> bool:
    """Whether email leaves this server: False when `SMTP_URL` is unset, where messages only go
    to the server's log, so a page must not say "sent" and should offer the link to share."""
    return bool(settings.smtp_url)
