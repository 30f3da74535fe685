"""Where webhooks may point: in production https only, and never an address inside the
operator's network (checked when saved and again, resolved, before every attempt)."""

from __future__ import annotations

import pytest

from llmobserve_server.budgets.alerts.messages import slack_message
from llmobserve_server.budgets.alerts.queue import is_slack
from llmobserve_server.budgets.alerts.signing import sign, verify
from llmobserve_server.budgets.alerts.targets import (
    RefusedTarget,
    check_before_sending,
    check_webhook_url,
)
from llmobserve_server.domain_errors import Invalid


def test_production_refuses_plain_http() -> None:
    with pytest.raises(Invalid) as refused:
        check_webhook_url("http://example.com/hook", production=True)
    assert refused.value.field == "notify.webhook_url"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
    ],
    ids=["loopback", "private-10", "private-192", "metadata", "ipv6-loopback", "link-local"],
)
def test_production_refuses_an_address_inside_the_network(url: str) -> None:
    with pytest.raises(Invalid):
        check_webhook_url(url, production=True)
    with pytest.raises(RefusedTarget):
        check_before_sending(url, production=True)


def test_production_refuses_a_name_that_resolves_to_loopback() -> None:
    check_webhook_url("https://localhost/hook", production=True)  # a name: resolved later
    with pytest.raises(RefusedTarget, match="127.0.0.1|::1"):
        check_before_sending("https://localhost/hook", production=True)


def test_development_allows_a_local_receiver() -> None:
    check_webhook_url("http://127.0.0.1:8080/hook", production=False)
    check_before_sending("http://127.0.0.1:8080/hook", production=False)


def test_a_signature_covers_the_timestamp_and_the_body() -> None:
    header = sign("whsec_s", b'{"a":1}', timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify("whsec_s", b'{"a":1}', header, now=1_700_000_010)
    assert not verify("whsec_s", b'{"a":2}', header, now=1_700_000_010)
    assert not verify("whsec_s", b'{"a":1}', header, now=1_700_009_999)  # a replay


def test_slack_urls_get_slacks_message_format() -> None:
    assert is_slack("https://hooks.slack.com/services/T0/B0/x")
    assert not is_slack("https://example.com/hooks.slack.com")
    payload = {
        "type": "budget.exceeded",
        "budget": {
            "name": "Acme",
            "scope": {"customer_id": "acme"},
            "period": "month",
            "amount_usd": "25.000000",
        },
        "threshold": 1.0,
        "spent_usd": "25.010000",
    }
    message = slack_message(payload, link="https://llmobserve.example/budgets/1")
    assert message["text"] == (
        "Budget Acme is exceeded: $25.01 of $25.00 (customer_id acme, this month)"
    )
    assert message["blocks"][0]["type"] == "section"
