"""OpenAI-compatible providers through the real `openai` client: each recorded as itself (from
the host of the client's base URL), priced at its own catalogue prices.

The client talks to the provider's real host name; its HTTP goes to the fake API through
httpx's proxy support (the fake answers absolute-form requests), so the SDK sees exactly the
client an application would have."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario

import llmobserve
from llmobserve_server.pricing import TokenUsage, catalog_token_cost, quantize_cost

MESSAGES = [{"role": "user", "content": "Say hello"}]
Spans = list[dict[str, Any]]

# (base URL an application uses, the provider recorded, a model that provider reports)
PROVIDERS = [
    ("http://api.openai.com/v1", "openai", "gpt-4o-mini"),
    ("http://api.deepseek.com", "deepseek", "deepseek-chat"),
    ("http://api.groq.com/openai/v1", "groq", "llama-3.3-70b-versatile"),
    ("http://openrouter.ai/api/v1", "openrouter", "openai/gpt-4o-mini"),
    ("http://api.together.xyz/v1", "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    (
        "http://api.fireworks.ai/inference/v1",
        "fireworks",
        "accounts/fireworks/models/deepseek-v3p2",
    ),
    ("http://api.x.ai/v1", "x-ai", "grok-3"),
    ("http://api.mistral.ai/v1", "mistral", "mistral-small-latest"),
    ("http://generativelanguage.googleapis.com/v1beta/openai/", "google", "gemini-2.0-flash"),
    ("http://api.perplexity.ai", "perplexity", "sonar"),
    ("http://api.cerebras.ai/v1", "cerebras", "llama3.1-8b"),
    ("http://my-resource.openai.azure.com/openai/v1/", "azure", "gpt-4o-2024-08-06"),
    ("http://my-resource.cognitiveservices.azure.com/openai/v1/", "azure", "gpt-4o-mini"),
]


def chat(client: Any, model: str = "gpt-4o-mini", **options: Any) -> Any:
    return client.chat.completions.create(model=model, messages=MESSAGES, **options)


@pytest.mark.usefixtures("sdk")
@pytest.mark.parametrize(
    ("base_url", "provider", "model"), PROVIDERS, ids=[p[0] for p in PROVIDERS]
)
def test_a_compatible_provider_is_recorded_as_itself_at_its_own_catalogue_price(
    client_for: Callable[..., openai.OpenAI],
    recorded: Callable[..., Spans],
    base_url: str,
    provider: str,
    model: str,
) -> None:
    with llmobserve.run("compatible") as frame:
        chat(client_for(base_url), model=model)

    [call] = recorded(frame)
    assert call["provider"] == provider
    assert call["cost_source"] == "catalog"
    assert Decimal(call["cost_usd"]) == catalogue_price(call) > 0


def catalogue_price(span: dict[str, Any]) -> Decimal:
    """The provider's price as the collector keeps it: genai-prices with our dated corrections
    in front (DeepSeek's September 2025 prices are one; server/tests/pricing tests each)."""
    usage = TokenUsage(
        input_tokens=span["input_tokens"],
        cached_input_tokens=span["cached_input_tokens"],
        output_tokens=span["output_tokens"],
        reasoning_tokens=span["reasoning_tokens"],
    )
    cost = catalog_token_cost(span["provider"], span["model"], datetime.now(timezone.utc), usage)
    assert cost is not None
    return quantize_cost(cost)


@pytest.mark.usefixtures("sdk")
def test_an_unknown_host_is_recorded_as_its_own_provider_without_a_namesakes_price(
    client_for: Callable[..., openai.OpenAI], recorded: Callable[..., Spans]
) -> None:
    with llmobserve.run("self-hosted") as frame:
        chat(client_for("http://llm.internal:8000/v1"))

    [call] = recorded(frame)
    assert (call["provider"], call["model"]) == ("llm.internal:8000", "gpt-4o-mini-2024-07-18")
    assert call["input_tokens"] == 21
    assert call["cost_source"] == "unknown_model"  # an account price names this provider


def test_init_providers_names_a_host(
    start_sdk: Callable[..., None],
    client_for: Callable[..., openai.OpenAI],
    recorded: Callable[..., Spans],
) -> None:
    start_sdk(providers={"https://llm.internal:8000": "vllm", "gw.example.com": "gateway"})
    with llmobserve.run("named") as frame:
        chat(client_for("http://llm.internal:8000/v1"))
        chat(client_for("http://gw.example.com:9000/v1"))
        chat(client_for("http://llm.internal:9999/v1"))  # another port: not that server

    providers = [call["provider"] for call in recorded(frame)]
    assert providers == ["vllm", "gateway", "llm.internal:9999"]


@pytest.mark.usefixtures("sdk")
def test_the_openrouter_cost_is_sent_as_the_events_own_cost(
    client_for: Callable[..., openai.OpenAI],
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
) -> None:
    openai_upstream.scenario = OpenAIScenario(cost=0.000123, unasked_stream_usage="chunk")
    client = client_for("http://openrouter.ai/api/v1")
    with llmobserve.run("openrouter") as frame:
        chat(client, model="acme/brand-new-model")  # not in the catalogue: the cost is theirs
        for _ in chat(client, model="acme/brand-new-model", stream=True):
            pass

    calls = recorded(frame)
    assert [(c["cost_source"], Decimal(c["cost_usd"])) for c in calls] == [
        ("client", Decimal("0.000123")),
        ("client", Decimal("0.000123")),
    ]


@pytest.mark.usefixtures("sdk")
def test_azure_records_the_model_the_answer_names_never_the_deployment(
    client_for: Callable[..., Any],
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="gpt-4o-2024-08-06")
    client = client_for(
        None,
        openai.AzureOpenAI,
        azure_endpoint="http://my-resource.openai.azure.com",
        azure_deployment="prod-chat",
        api_version="2024-10-21",
    )
    with llmobserve.run("azure") as frame:
        chat(client, model="prod-chat")
        openai_upstream.scenario = OpenAIScenario(fail_status=429)
        with pytest.raises(openai.RateLimitError):
            chat(client, model="prod-chat")

    calls = recorded(frame)
    assert [(c["provider"], c["model"]) for c in calls] == [
        ("azure", "gpt-4o-2024-08-06"),
        ("azure", None),  # failed: no model answered, and the deployment's name is not one
    ]
    assert calls[0]["cost_source"] == "catalog"


@pytest.mark.usefixtures("sdk")
def test_async_clients_are_recorded_as_their_provider(
    openai_upstream: FakeOpenAI, recorded: Callable[..., Spans]
) -> None:
    async def main() -> None:
        async with openai.AsyncOpenAI(
            api_key="sk-test",
            base_url="http://api.deepseek.com",
            max_retries=0,
            http_client=httpx.AsyncClient(proxy=openai_upstream.url),
        ) as client:
            await chat(client, model="deepseek-chat")

    with llmobserve.run("async") as frame:
        asyncio.run(main())

    assert [call["provider"] for call in recorded(frame)] == ["deepseek"]
