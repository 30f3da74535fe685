"""A local fake of the Stripe HTTP API, for the real `stripe` library (`STRIPE_API_BASE`), and
signed webhooks like Stripe's.

It implements exactly what the server calls: `POST /v1/customers`, `POST /v1/checkout/sessions`
and `POST /v1/billing_portal/sessions`, recording each request. It also serves the pages those
sessions' URLs point at, so that a browser can "pay" (`/checkout/<id>`: sends
`checkout.session.completed` to the server, then returns to `success_url`) or "cancel" in the
portal (`/portal/<id>`: sends `customer.subscription.deleted`, then returns to `return_url`).

Fixtures: `fake_stripe` (one per session) and `billing_server` (per backend: a server with the
STRIPE_* settings pointing here and SMTP_URL at `mailbox`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.support.mail import Mailbox
from tests.support.pool import ServerPool

SECRET_KEY = "sk_test_llmobserve_fake"
WEBHOOK_SECRET = "whsec_test_llmobserve"
PRICE_PRO = "price_test_pro_monthly"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]  # form fields as sent: "line_items[0][price]" -> "price_…"
    headers: dict[str, str]


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(8)}"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for `payload`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event_payload(event_type: str, data_object: dict[str, Any], event_id: str | None = None) -> str:
    """A Stripe event (API version 2025-style snapshot) as the JSON text Stripe posts."""
    return json.dumps(
        {
            "id": event_id or new_id("evt"),
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": data_object},
        }
    )


def post_event(
    base_url: str,
    event_type: str,
    data_object: dict[str, Any],
    *,
    event_id: str | None = None,
    secret: str = WEBHOOK_SECRET,
) -> httpx.Response:
    """Deliver a signed event to the server's webhook endpoint, like Stripe."""
    payload = event_payload(event_type, data_object, event_id)
    return httpx.post(
        f"{base_url}/v1/stripe/webhook",
        content=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload, secret)},
        timeout=30,
    )


def subscription(
    subscription_id: str, customer_id: str, status: str = "active", **extra: Any
) -> dict[str, Any]:
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "cancel_at_period_end": False,
        "items": {"object": "list", "data": [{"price": {"id": PRICE_PRO}}]},
        **extra,
    }


@dataclass
class FakeStripe:
    """The fake's state: every API request, and the objects it created."""

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # checkout and portal
    subscriptions: dict[str, str] = field(default_factory=dict)  # customer id -> sub id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def api(self, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        now = int(time.time())
        if path == "/v1/customers":
            return {
                "id": new_id("cus"),
                "object": "customer",
                "created": now,
                "email": params.get("email"),
                "name": params.get("name"),
                "metadata": _nested(params, "metadata"),
                "livemode": False,
            }
        if path == "/v1/checkout/sessions":
            session_id = new_id("cs")
            session = {
                "id": session_id,
                "object": "checkout.session",
                "created": now,
                "mode": params.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "customer": params.get("customer"),
                "client_reference_id": params.get("client_reference_id"),
                "metadata": _nested(params, "metadata"),
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "subscription": None,
                "url": f"{self.base_url}/checkout/{session_id}",
                "livemode": False,
            }
            self.sessions[session_id] = session
            return session
        if path == "/v1/billing_portal/sessions":
            session_id = new_id("bps")
            session = {
                "id": session_id,
                "object": "billing_portal.session",
                "created": now,
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
                "url": f"{self.base_url}/portal/{session_id}",
                "livemode": False,
            }
            self.sessions[session_id] = session
            return session
        return None

    def pay(self, session_id: str) -> str:
        """Complete a Checkout Session: send its webhook, answer where the browser goes next."""
        session = dict(self.sessions[session_id])
        subscription_id = new_id("sub")
        self.subscriptions[str(session["customer"])] = subscription_id
        session.update(status="complete", payment_status="paid", subscription=subscription_id)
        response = post_event(
            _origin(session["success_url"]), "checkout.session.completed", session
        )
        assert response.status_code == 200, response.text
        return str(session["success_url"])

    def cancel(self, session_id: str) -> str:
        """Cancel the portal session's customer's subscription now."""
        session = self.sessions[session_id]
        customer = str(session["customer"])
        sub = subscription(self.subscriptions.get(customer, new_id("sub")), customer, "canceled")
        response = post_event(_origin(session["return_url"]), "customer.subscription.deleted", sub)
        assert response.status_code == 200, response.text
        return str(session["return_url"])


def _nested(params: dict[str, str], name: str) -> dict[str, str]:
    prefix = f"{name}["
    return {k[len(prefix) : -1]: v for k, v in params.items() if k.startswith(prefix)}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><form method="post" action="{action}">
<button type="submit">{button}</button></form></body></html>"""


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _send(self, status: int, body: str, content_type: str, location: str = "") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            kind, _, session_id = self.path.strip("/").partition("/")
            if self.path == "/favicon.ico":  # the browser asks on every page
                self._send(204, "", "image/x-icon")
            elif session_id not in fake.sessions:
                self._send(404, "not found", "text/plain")
            elif kind == "checkout":
                page = _PAGE.format(
                    title="Fake Stripe Checkout", action=f"/checkout/{session_id}/pay", button="Pay"
                )
                self._send(200, page, "text/html")
            else:
                action = f"/portal/{session_id}/cancel"
                page = _PAGE.format(
                    title="Fake Stripe portal", action=action, button="Cancel subscription"
                )
                self._send(200, page, "text/html")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            path = self.path.split("?")[0]
            parts = path.strip("/").split("/")
            if len(parts) == 3 and parts[0] == "checkout" and parts[2] == "pay":
                self._send(303, "", "text/plain", fake.pay(parts[1]))
                return
            if len(parts) == 3 and parts[0] == "portal" and parts[2] == "cancel":
                self._send(303, "", "text/plain", fake.cancel(parts[1]))
                return
            params = dict(parse_qsl(body, keep_blank_values=True))
            with fake.lock:
                fake.requests.append(Recorded("POST", path, params, dict(self.headers.items())))
                answer = fake.api(path, params)
            if answer is None:
                error = {"error": {"type": "invalid_request_error", "message": f"No {path}"}}
                self._send(404, json.dumps(error), "application/json")
            else:
                self._send(200, json.dumps(answer), "application/json")

    return Handler


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{http.server_address[1]}"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield fake
    http.shutdown()
    http.server_close()


@pytest.fixture(scope="session")
def billing_server(
    backend: str, fake_stripe: FakeStripe, mailbox: Mailbox, server_pool: ServerPool
) -> RunningServer:
    """A server (per backend) with billing on, against `fake_stripe`, mailing `mailbox`."""
    return server_pool.get(backend, billing_env(fake_stripe, mailbox))


def billing_env(fake: FakeStripe, mailbox: Mailbox) -> dict[str, str]:
    """The settings of a server with billing on against `fake`, mailing `mailbox`."""
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_PRICE_PRO": PRICE_PRO,
        "STRIPE_API_BASE": fake.base_url,
        **mailbox.smtp_env(),
    }
