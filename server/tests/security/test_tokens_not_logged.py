"""Invitation, password-reset and email-confirmation tokens never reach a log line.

The attack: an invitation's token travels in its URL path, the access log wrote the path, and
whoever read the log could sign up with the invited email and join the account. Here a server
without SMTP (so its emails go to the log too) logs at DEBUG while an invitation is issued and
opened; then the log is searched for the token.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator

import httpx
import pytest

from llmobserve_server.observability.logs import JsonFormatter, TextFormatter
from llmobserve_server.observability.redaction import RedactSecretsFilter, redact
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import set_tier
from tests.support.databases import server_for
from tests.support.factories import sign_up, unique_email

TOKEN = "q8Zk3vS0pY1wF2mE7tLr9aXo4bHc6dNi5uJj0gKe_-A"


@pytest.fixture(scope="module")
def mailless_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("mailless-logs")
    with server_for("sqlite", data_dir, "mailless", {"LOG_LEVEL": "debug"}) as running:
        yield running


def test_an_opened_invitation_link_leaves_no_token_in_the_log(
    mailless_server: RunningServer,
) -> None:
    owner = sign_up(mailless_server.base_url)
    set_tier(mailless_server, owner.account_id, "pro")
    invited = owner.client.post("/settings/team/invitations", data={"email": unique_email()})
    assert invited.status_code == 303
    page = owner.client.get("/settings/team").text
    token = re.search(r"/invitations/([\w-]{20,})", page)
    assert token, "the team page shows the new invitation's link"
    with httpx.Client(base_url=mailless_server.base_url, timeout=30) as stranger:
        assert stranger.get(f"/invitations/{token.group(1)}").status_code == 200
        stranger.get(f"/sign-up?invitation={token.group(1)}")
    mailless_server.wait_for_log("/invitations/[redacted]")
    log = mailless_server.log()
    assert token.group(1) not in log
    owner.client.close()


def test_emails_printed_without_smtp_show_no_token(mailless_server: RunningServer) -> None:
    user = sign_up(mailless_server.base_url)  # its confirmation email goes to the log
    mailless_server.wait_for_log(f"To: {user.email}")
    log = mailless_server.log()
    assert "/verify-email?token=[redacted]" in log
    assert not re.search(r"token=(?!\[redacted\])[\w-]{8,}", log)
    user.client.close()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /invitations/{TOKEN} 200", "GET /invitations/[redacted] 200"),
        (f"POST /invitations/{TOKEN}/accept", "POST /invitations/[redacted]/accept"),
        (
            f"https://x.io/reset-password?token={TOKEN}",
            "https://x.io/reset-password?token=[redacted]",
        ),
        (f"/verify-email?token={TOKEN}&next=/", "/verify-email?token=[redacted]&next=/"),
        (f"/sign-up?invitation={TOKEN}", "/sign-up?invitation=[redacted]"),
        (f"Bearer llmo_sk_{TOKEN}", "Bearer llmo_sk_[redacted]"),
        ("GET /v1/runs/abc 200", "GET /v1/runs/abc 200"),
    ],
    ids=["invitation", "accept", "reset", "verify", "sign-up", "api-key", "untouched"],
)
def test_redact_replaces_tokens_and_keys_only(line: str, expected: str) -> None:
    assert redact(line) == expected


def _log_line(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    RedactSecretsFilter().filter(record)
    return formatter.format(record)


def _failed_record() -> logging.LogRecord:
    try:
        raise ValueError(f"could not open /invitations/{TOKEN} for llmo_sk_{TOKEN}")
    except ValueError:
        return logging.getLogger("test").makeRecord(
            "test", logging.ERROR, __file__, 1, "request failed", (), sys.exc_info()
        )


@pytest.mark.parametrize("formatter", [TextFormatter, JsonFormatter], ids=["text", "json"])
def test_a_logged_traceback_shows_no_token(formatter: type[logging.Formatter]) -> None:
    line = _log_line(formatter(), _failed_record())
    assert "ValueError: could not open /invitations/[redacted]" in line.replace("\\n", "\n")
    assert "llmo_sk_[redacted]" in line
    assert TOKEN not in line


def test_a_logged_stack_shows_no_token() -> None:
    record = logging.getLogger("test").makeRecord(
        "test", logging.WARNING, __file__, 1, "slow", (), None, sinfo=f"at /invitations/{TOKEN}"
    )
    assert TOKEN not in _log_line(TextFormatter(), record)
