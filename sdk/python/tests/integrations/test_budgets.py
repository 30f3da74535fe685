"""Budgets enforced by the SDK (`init(enforce_budgets=True)`): a call in a blocked scope raises
`BudgetExceededError` before it reaches the provider; other calls go; without the option the SDK
never raises."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import openai
import pytest
from fakes.openai_upstream import FakeOpenAI
from support.accounts import Account

import llmobserve
from llmobserve import _client

MESSAGES: Any = [{"role": "user", "content": "hi"}]


def exceeded_budget(account: Account, **scope: str) -> dict[str, Any]:
    """An enforced budget of $1 over `scope`, and an event that costs $1 in it."""
    response = account.session.post(
        "/v1/budgets",
        json={"name": "Capped", "scope": scope, "amount_usd": "1", "enforce": True},
    )
    assert response.status_code == 201, response.text
    event = {
        "id": "6f1d2c3b-0000-4000-8000-" + response.json()["id"][-12:],
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "provider": "custom",
        "model": "my-model",
        "cost_usd": "1",
        **scope,
    }
    answer = account.api.post("/v1/events", json={"events": [event]}).json()
    assert len(answer["budgets_blocked"]) == 1, answer
    return dict(response.json())


def wait_for_blocks(count: int) -> None:
    """Until the worker has read `count` blocked budgets (it asks at start, on its thread)."""
    worker = _client.active_worker()
    assert worker is not None and worker.enforcement is not None
    deadline = time.monotonic() + 10
    while len(worker.enforcement.blocks.budgets) != count:
        assert time.monotonic() < deadline, "the blocked budgets never arrived"
        time.sleep(0.02)


def test_a_call_in_a_blocked_scope_raises_before_reaching_the_provider(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    budget = exceeded_budget(account, customer_id="acme")
    start_sdk(enforce_budgets=True)
    wait_for_blocks(1)
    with llmobserve.customer("acme"), pytest.raises(llmobserve.BudgetExceededError) as raised:
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert openai_upstream.requests == []
    error = raised.value
    assert error.budget_id == budget["id"]
    assert error.name == "Capped"
    assert error.scope == {"customer_id": "acme"}
    assert error.until is not None and error.until.isoformat().startswith(budget["period_end"][:10])
    assert isinstance(error, llmobserve.LLMObserveError)


def test_another_customers_call_still_goes(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    exceeded_budget(account, customer_id="acme")
    start_sdk(enforce_budgets=True)
    wait_for_blocks(1)
    with llmobserve.customer("globex"):
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(openai_upstream.requests) == 2


def test_an_async_call_in_a_blocked_scope_raises_too(
    account: Account,
    start_sdk: Callable[..., None],
    async_openai: Callable[[], openai.AsyncOpenAI],
    openai_upstream: FakeOpenAI,
) -> None:
    exceeded_budget(account, agent="bot")
    start_sdk(enforce_budgets=True)
    wait_for_blocks(1)

    async def main() -> None:
        async with async_openai() as client:
            with llmobserve.agent("bot"), pytest.raises(llmobserve.BudgetExceededError):
                await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    asyncio.run(main())
    assert openai_upstream.requests == []


def test_without_enforce_budgets_the_sdk_never_raises(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    exceeded_budget(account, customer_id="acme")
    start_sdk()
    with llmobserve.customer("acme"):
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(openai_upstream.requests) == 1
    worker = _client.active_worker()
    assert worker is not None and worker.enforcement is None


def test_on_budget_exceeded_is_called_instead_and_may_let_the_call_go(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    exceeded_budget(account, customer_id="acme")
    seen: list[tuple[Any, Any]] = []
    start_sdk(enforce_budgets=True, on_budget_exceeded=lambda b, c: seen.append((b, c)))
    wait_for_blocks(1)
    with llmobserve.customer("acme"):
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(openai_upstream.requests) == 1
    [(budget, call)] = seen
    assert budget.name == "Capped" and budget.scope == {"customer_id": "acme"}
    assert (call.customer_id, call.provider, call.model) == ("acme", "openai", "gpt-4o-mini")


def test_a_block_is_learned_from_the_flush_that_crosses_the_budget(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
) -> None:
    response = account.session.post(
        "/v1/budgets",
        json={"name": "Acme", "scope": {"customer_id": "acme"}, "amount_usd": "1", "enforce": True},
    )
    assert response.status_code == 201, response.text
    start_sdk(enforce_budgets=True)
    with llmobserve.customer("acme"):
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        llmobserve.track("refund-check", cost_usd="1.00")
        assert llmobserve.flush(timeout=10)
        with pytest.raises(llmobserve.BudgetExceededError):
            openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(openai_upstream.requests) == 1


def test_code_written_for_0_3_still_catches_the_error(
    account: Account,
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
) -> None:
    from llmobserve import BudgetExceededError  # 0.3's import

    exceeded_budget(account)
    start_sdk(enforce_budgets=True)
    wait_for_blocks(1)
    try:
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except BudgetExceededError as exc:
        assert exc.exceeded_caps[0]["name"] == "Capped"
    else:
        pytest.fail("the call was not stopped")
