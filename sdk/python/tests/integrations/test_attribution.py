"""Provider calls land in the run, section, agent and customer of the code that made them, and in
the dashboard's cost breakdowns."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import anthropic
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from support.accounts import Account

import llmobserve

pytestmark = pytest.mark.usefixtures("sdk")

MESSAGES = [{"role": "user", "content": "Say hello"}]
Recorded = Callable[..., list[dict[str, Any]]]


def test_calls_of_every_provider_carry_the_section_customer_and_agent(
    openai_client: openai.OpenAI,
    anthropic_client: anthropic.Anthropic,
    pinecone_index: Any,
    recorded: Recorded,
) -> None:
    with llmobserve.run("ticket") as frame, llmobserve.customer("acme"):
        with llmobserve.section("support"), llmobserve.agent("triage") as agent:
            with llmobserve.section("retrieval"):
                pinecone_index.query(vector=[0.1, 0.2], top_k=1)
            openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            anthropic_client.messages.create(
                model="claude-haiku-4-5", max_tokens=64, messages=MESSAGES
            )

    calls = recorded(frame)
    assert [call["provider"] for call in calls] == ["pinecone", "openai", "anthropic"]
    assert [call["section"] for call in calls] == [
        "support/retrieval",
        "support",
        "support",
    ]
    assert {call["customer_id"] for call in calls} == {"acme"}
    assert {call["agent"] for call in calls} == {"triage"}
    assert [call["parent_span_id"] == agent.span_id for call in calls] == [False, True, True]


def test_a_stream_read_in_another_thread_is_attributed_where_it_was_created(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("handoff") as frame, llmobserve.section("chat"):
        stream = openai_client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True
        )
    reader = threading.Thread(target=lambda: list(stream))
    reader.start()
    reader.join()

    [call] = recorded(frame)
    assert (call["section"], call["input_tokens"]) == ("chat", 21)


def test_concurrent_tasks_keep_their_own_sections(
    async_openai: Callable[[], openai.AsyncOpenAI], recorded: Recorded
) -> None:
    async def ask(client: openai.AsyncOpenAI, section: str) -> None:
        with llmobserve.section(section):
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True
            )
            async for _ in stream:
                await asyncio.sleep(0)

    async def main() -> None:
        async with async_openai() as client:
            await asyncio.gather(*(ask(client, name) for name in ("a", "b", "c")))

    with llmobserve.run("fan-out") as frame:
        asyncio.run(main())

    assert sorted(call["section"] for call in recorded(frame)) == ["a", "b", "c"]


def test_costs_by_model_show_the_reported_models_with_their_cached_tokens(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    account: Account,
    recorded: Recorded,
) -> None:
    openai_upstream.scenario = OpenAIScenario(input_tokens=1200, cached_tokens=1024)
    with llmobserve.run("costs") as frame:
        for _ in range(2):
            openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        openai_client.embeddings.create(model="text-embedding-3-small", input="a")
    calls = recorded(frame)

    rows = {row["key"]: row for row in account.costs(group_by="model")["rows"]}
    chat = rows["gpt-4o-mini-2024-07-18"]
    assert (chat["events"], chat["input_tokens"], chat["cached_input_tokens"]) == (2, 2400, 2048)
    assert Decimal(chat["cost_usd"]) == sum(Decimal(c["cost_usd"]) for c in calls[:2])
    assert rows["text-embedding-3-small"]["input_tokens"] == 1200
