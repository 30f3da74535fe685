"""Budgets end to end, every part real: the server (with SMTP to aiosmtpd), the SDK with
`enforce_budgets=True`, the openai client against a fake OpenAI upstream, and an HTTP webhook
receiver. One customer's calls cross 80 % (an email and a signed webhook arrive), then 100 %:
its next call raises before reaching the upstream, while another customer's call still goes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from support.accounts import Account, sign_up
from tests.support.mail import Mailbox, mailbox  # noqa: F401  (fixture)
from tests.support.pool import ServerPool
from tests.support.webhooks import WebhookReceiver, webhooks  # noqa: F401  (fixture)

import llmobserve
from llmobserve_server.budgets.alerts.signing import verify
from llmobserve_server.testing import RunningServer

MESSAGES: Any = [{"role": "user", "content": "hi"}]
# The fake upstream reports 21 input tokens; at $100,000 per million tokens a call costs $2.10.
PRICE = {"provider": "", "model": "budget-model", "input_mtok": "100000", "output_mtok": "0"}


@pytest.fixture
def mail_collector(server_pool: ServerPool, mailbox: Mailbox) -> RunningServer:  # noqa: F811
    return server_pool.get("sqlite", mailbox.smtp_env())


@pytest.fixture
def team(mail_collector: RunningServer) -> Iterator[Account]:
    created = sign_up(mail_collector.base_url)
    yield created
    created.close()


def test_a_customer_over_its_budget_is_alerted_then_stopped_and_others_go_on(
    team: Account,
    mail_collector: RunningServer,
    mailbox: Mailbox,  # noqa: F811
    webhooks: WebhookReceiver,  # noqa: F811
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="budget-model")
    assert team.session.post("/v1/prices", json=PRICE).status_code == 201
    created = team.session.post(
        "/v1/budgets",
        json={
            "name": "Acme monthly",
            "scope": {"customer_id": "acme"},
            "amount_usd": "10.00",
            "alert_at": [0.8, 1.0],
            "enforce": True,
            "notify": {"emails": ["finance@acme-ops.example"], "webhook_url": webhooks.url + "/b"},
        },
    )
    assert created.status_code == 201, created.text
    secret = created.json()["webhook_secret"]
    llmobserve.init(
        api_key=team.key,
        collector_url=mail_collector.base_url,
        enforce_budgets=True,
        flush_interval=0.05,
    )

    def ask() -> None:
        openai_client.chat.completions.create(model="budget-model", messages=MESSAGES)

    with llmobserve.customer("acme"):
        for _ in range(4):  # $8.40: 84 %
            ask()
        assert llmobserve.flush(timeout=10)
        email = mailbox.wait_for("finance@acme-ops.example")
        assert str(email["Subject"]) == "Budget Acme monthly reached 80 %: $8.40 of $10.00"
        hook = webhooks.wait_for("/b")
        assert verify(
            secret, hook.body, hook.headers["X-Llmobserve-Signature"], now=int(time.time())
        )
        assert json.loads(hook.body)["threshold"] == 0.8

        ask()  # $10.50: over the budget
        assert llmobserve.flush(timeout=10)
        with pytest.raises(llmobserve.BudgetExceededError) as stopped:
            ask()
    assert stopped.value.name == "Acme monthly"
    assert stopped.value.scope == {"customer_id": "acme"}
    assert len(openai_upstream.requests) == 5  # the stopped call never reached the upstream

    with llmobserve.customer("globex"):
        ask()
    assert len(openai_upstream.requests) == 6
    exceeded = webhooks.wait_for("/b", count=2)
    assert json.loads(exceeded.body)["type"] == "budget.exceeded"
