"""A real SMTP server (aiosmtpd) collecting what the server under test sends, and a server
configured to send to it. Fixtures `mailbox` and `mail_server` (per backend)."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from llmobserve_server.testing import RunningServer, free_port
from tests.support.pool import ServerPool

# Sent at every sign-up: left out of `to` and `wait_for` (which count a test's own emails) and
# read with `confirmation_link`.
CONFIRMATION_SUBJECT = "Confirm your email address for llmobserve"


class Mailbox:
    """Every message the SMTP server accepted, by recipient."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[EmailMessage] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()
        return "250 OK"

    def smtp_env(self) -> dict[str, str]:
        """The settings that make a server (or the CLI) send its email here."""
        return {
            "SMTP_URL": f"smtp://127.0.0.1:{self.port}?timeout=5",
            "EMAIL_FROM": "llmobserve <t@x.io>",
        }

    def to(self, address: str, *, confirmations: bool = False) -> list[EmailMessage]:
        with self._changed:
            return self.to_unlocked(address, confirmations=confirmations)

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 15) -> EmailMessage:
        """The `count`-th message to `address`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.to_unlocked(address)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no email #{count} to {address} within {timeout}s"
                self._changed.wait(left)
            return self.to_unlocked(address)[count - 1]

    def to_unlocked(self, address: str, *, confirmations: bool = False) -> list[EmailMessage]:
        return [
            m
            for m in self._messages
            if address.lower() in str(m["To"]).lower()
            and (str(m["Subject"]) == CONFIRMATION_SUBJECT) == confirmations
        ]

    def confirmation_link(self, address: str, *, count: int = 1, timeout: float = 15) -> str:
        """The link of the `count`-th email confirming `address`, waiting for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.to_unlocked(address, confirmations=True)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no confirmation #{count} to {address} within {timeout}s"
                self._changed.wait(left)
            message = self.to_unlocked(address, confirmations=True)[count - 1]
        return link_in(message, "/verify-email?token=")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The first URL in the plain-text body whose path starts with `path`."""
    match = re.search(r"https?://[^\s]+" + re.escape(path) + r"[^\s]*", text_of(message))
    assert match, text_of(message)
    return match.group(0)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def mail_server(backend: str, mailbox: Mailbox, server_pool: ServerPool) -> RunningServer:
    """A server (per backend) whose SMTP_URL points at `mailbox`."""
    return server_pool.get(backend, mailbox.smtp_env())


def confirm_email(mailbox: Mailbox, client: httpx.Client, email: str) -> None:
    """Open the confirmation link sent to `email` at sign-up with `client`, signed in as its
    owner (a confirmed address lands on the dashboard; a refused link on the profile)."""
    opened = client.get(mailbox.confirmation_link(email))
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == "/", opened.headers["location"]
