"""SMTP_URL parsing and the file and console transports (no server needed)."""

from __future__ import annotations

import logging
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from llmobserve_server.config import Settings
from llmobserve_server.mail import MailConfigError, send_email, transport_for
from llmobserve_server.mail.transports import ConsoleTransport, FileTransport, SmtpTransport


def test_smtp_url_schemes_choose_security_and_default_ports() -> None:
    assert transport_for("smtp://relay") == SmtpTransport("relay", 25, "none")
    assert transport_for("smtp+starttls://u%40x:p%2Fw@mail:2525?timeout=3") == SmtpTransport(
        "mail", 2525, "starttls", "u@x", "p/w", 3.0
    )
    assert transport_for("smtps://mail").port == 465


def test_unset_smtp_url_logs_to_the_console() -> None:
    assert isinstance(transport_for(None), ConsoleTransport)


def test_an_unknown_scheme_is_a_readable_error() -> None:
    with pytest.raises(MailConfigError, match="smtp://user:pass@host:25"):
        transport_for("http://mail")


def test_file_urls_write_eml_files_with_text_and_html(tmp_path: Path) -> None:
    settings = Settings(smtp_url=f"file://{tmp_path}/out", email_from="llmo <a@b.c>")
    assert isinstance(transport_for(settings.smtp_url), FileTransport)
    context = {"name": "Ada", "email": "ada@x.io", "link": "http://h/r?t=1", "valid_minutes": 60}
    assert send_email(
        settings, to="ada@x.io", subject="Reset", template="password_reset", context=context
    )
    (written,) = (tmp_path / "out").glob("*.eml")
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["From"] == "llmo <a@b.c>"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and "http://h/r?t=1" in plain.get_content()
    assert html is not None and 'href="http://h/r?t=1"' in html.get_content()


def test_a_failed_send_is_logged_and_answered_false(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:9?timeout=1")
    with caplog.at_level(logging.ERROR):
        sent = send_email(
            settings,
            to="x@y.z",
            subject="Hi",
            template="invitation",
            context={"inviter": "A", "account": "B", "link": "http://l", "valid_days": 7},
        )
    assert sent is False
    assert "could not send the email" in caplog.text
