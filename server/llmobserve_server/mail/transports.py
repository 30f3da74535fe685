"""Where email goes, chosen by `SMTP_URL`:

| SMTP_URL                                   | transport                                       |
| ------------------------------------------ | ----------------------------------------------- |
| unset                                      | `ConsoleTransport`: logged at INFO               |
| `smtp://user:pass@host:25`                 | SMTP, no TLS (a local relay)                     |
| `smtp+starttls://user:pass@host:587`       | SMTP upgraded with STARTTLS (required)           |
| `smtps://user:pass@host:465`               | SMTP over implicit TLS                           |
| `file:///var/mail/llmobserve`              | `FileTransport`: one `.eml` file per message     |

User and password are percent-encoded in the URL (`%40` for `@`). `?timeout=10` sets the
network timeout in seconds (default 10), so that a stuck server cannot hold a worker for long.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from llmobserve_server.observability.redaction import RedactSecretsFilter

DEFAULT_TIMEOUT = 10.0
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}

logger = logging.getLogger(__name__)


class MailConfigError(ValueError):
    """SMTP_URL cannot be understood."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    security: str  # "none", "starttls" or "tls"
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass(frozen=True)
class FileTransport:
    directory: Path

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(message.as_bytes())
        logger.info("email %r to %s written to %s", message["Subject"], message["To"], path)


class ConsoleTransport:
    """Logs the plain-text body for a local install without SMTP. The tokens in its links are
    redacted (`observability.redaction`): a log is no place for a secret. To read whole emails
    without an SMTP server, use `SMTP_URL=file:///directory`."""

    def send(self, message: EmailMessage) -> None:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        _visible(logger).info(
            "SMTP_URL is not set, so this email was not sent (its links' tokens are redacted; "
            "set SMTP_URL=file:///some/directory to keep whole emails as files).\n"
            "To: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            text.strip(),
        )


def _visible(log: logging.Logger) -> logging.Logger:
    """`log`, printing INFO to stderr when the application has not configured logging (uvicorn
    only configures its own loggers), so that the console backend is seen in `make run`."""
    if not log.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        handler.addFilter(RedactSecretsFilter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def transport_for(smtp_url: str | None) -> Transport:
    """The transport `SMTP_URL` names (see the module docstring)."""
    if not smtp_url:
        return ConsoleTransport()
    parts = urlsplit(smtp_url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not parts.path:
            raise MailConfigError("SMTP_URL file:// needs a directory, e.g. file:///var/mail/llmo")
        return FileTransport(Path(unquote(parts.path)))
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise MailConfigError(
            "SMTP_URL must look like smtp://user:pass@host:25, smtp+starttls://…:587, "
            "smtps://…:465 or file:///directory"
        )
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise MailConfigError(f"SMTP_URL has an invalid port or timeout: {exc}") from exc
    security = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}[scheme]
    return SmtpTransport(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )
