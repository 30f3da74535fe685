"""Submitting the HTML forms over plain HTTP, the way a browser does."""

from __future__ import annotations

import re

import httpx


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def post_signed_out_form(
    client: httpx.Client, page: str, action: str, **fields: str
) -> httpx.Response:
    """GET `page` (which sets the pre-session CSRF cookie), then POST `fields` to `action`."""
    token = csrf_token_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})


def field_error(html: str, name: str) -> str:
    """The error shown next to field `name`, or "" when there is none."""
    match = re.search(rf'<p class="field-error" id="field-{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""
