"""Building a message from the templates in `mail/templates/`: `<name>.txt` (required) and
`<name>.html` (optional, then the message is multipart/alternative)."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

TEMPLATES_DIR = Path(__file__).parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    # Plain-text bodies must not be HTML-escaped; HTML bodies must be.
    autoescape=lambda name: bool(name and name.endswith(".html")),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_email(
    *, sender: str, to: str, subject: str, template: str, context: Mapping[str, Any]
) -> EmailMessage:
    values = {"subject": subject, **context}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="llmobserve")
    message.set_content(_environment.get_template(f"{template}.txt").render(values))
    try:
        html = _environment.get_template(f"{template}.html")
    except TemplateNotFound:
        return message
    message.add_alternative(html.render(values), subtype="html")
    return message
