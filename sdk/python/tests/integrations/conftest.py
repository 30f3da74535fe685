"""Fixtures for the integration tests: fake provider APIs on 127.0.0.1 (tests/fakes/), the real
client libraries pointed at them, and the calls the real collector recorded for a run.

The SDK, the collector and the account come from tests/conftest.py (`start_sdk`, `account`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import anthropic
import httpx
import openai
import pinecone
import pytest
from fakes.anthropic_upstream import AnthropicScenario, FakeAnthropic
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from fakes.pinecone_upstream import FakePinecone, PineconeScenario
from genai_prices import Usage as PriceUsage
from genai_prices import calc_price
from support.accounts import Account
from support.closing import closed_after

import llmobserve

Spans = list[dict[str, Any]]


# -- fake upstreams (one server each per session, reset for every test) ----------------------


@pytest.fixture(scope="session")
def openai_server() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture(scope="session")
def anthropic_server() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic()
    yield server
    server.close()


@pytest.fixture(scope="session")
def pinecone_server() -> Iterator[FakePinecone]:
    server = FakePinecone()
    yield server
    server.close()


@pytest.fixture
def openai_upstream(openai_server: FakeOpenAI) -> FakeOpenAI:
    openai_server.scenario = OpenAIScenario()
    openai_server.requests.clear()
    return openai_server


@pytest.fixture
def anthropic_upstream(anthropic_server: FakeAnthropic) -> FakeAnthropic:
    anthropic_server.scenario = AnthropicScenario()
    anthropic_server.requests.clear()
    return anthropic_server


@pytest.fixture
def pinecone_upstream(pinecone_server: FakePinecone) -> FakePinecone:
    pinecone_server.scenario = PineconeScenario()
    pinecone_server.requests.clear()
    return pinecone_server


# -- the real client libraries, pointed at the fakes -----------------------------------------


OPENAI_URL = "http://api.openai.com/v1"  # the SDK names the provider from this host


@pytest.fixture
def openai_client(openai_upstream: FakeOpenAI) -> Iterator[openai.OpenAI]:
    """A client of OpenAI's API host whose HTTP goes to the fake (httpx's proxy support: the
    fake answers absolute-form requests)."""
    http = httpx.Client(proxy=openai_upstream.url)
    with openai.OpenAI(
        api_key="sk-test", base_url=OPENAI_URL, max_retries=0, http_client=http
    ) as c:
        yield c


@pytest.fixture
def async_openai(openai_upstream: FakeOpenAI) -> Callable[[], openai.AsyncOpenAI]:
    """A factory: an AsyncOpenAI client lives in one event loop (`async with async_openai()`)."""
    return lambda: openai.AsyncOpenAI(
        api_key="sk-test",
        base_url=OPENAI_URL,
        max_retries=0,
        http_client=httpx.AsyncClient(proxy=openai_upstream.url),
    )


@pytest.fixture
def local_openai(openai_upstream: FakeOpenAI) -> Iterator[openai.OpenAI]:
    """A client of the fake at its own loopback address, as of a vLLM or Ollama server."""
    with openai.OpenAI(api_key="sk-test", base_url=openai_upstream.base_url, max_retries=0) as c:
        yield c


@pytest.fixture
def client_for(openai_upstream: FakeOpenAI) -> Iterator[Callable[..., Any]]:
    """`client_for(base_url)`: a real client (default `openai.OpenAI`) of that base URL, an
    OpenAI-compatible provider's, whose HTTP goes to the fake."""
    clients: list[Any] = []

    def make(base_url: str | None, client_class: type[Any] = openai.OpenAI, **options: Any) -> Any:
        if base_url is not None:
            options["base_url"] = base_url
        http = httpx.Client(proxy=openai_upstream.url)
        client = client_class(api_key="sk-test", max_retries=0, http_client=http, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def anthropic_client(anthropic_upstream: FakeAnthropic) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(
        api_key="sk-test", base_url=anthropic_upstream.url, max_retries=0
    ) as c:
        yield c


@pytest.fixture
def async_anthropic(anthropic_upstream: FakeAnthropic) -> Callable[[], anthropic.AsyncAnthropic]:
    return lambda: anthropic.AsyncAnthropic(
        api_key="sk-test", base_url=anthropic_upstream.url, max_retries=0
    )


@pytest.fixture
def pinecone_client() -> Iterator[pinecone.Pinecone]:
    yield from closed_after(pinecone.Pinecone(api_key="pc-test"))


@pytest.fixture
def pinecone_index(pinecone_client: pinecone.Pinecone, pinecone_upstream: FakePinecone) -> Any:
    """An index client of the fake data plane, created after the SDK started (see the pinecone
    integration's note) by tests that use `sdk` first."""
    yield from closed_after(pinecone_client.Index(host=pinecone_upstream.url))


# -- the SDK and what the collector recorded -------------------------------------------------


@pytest.fixture
def sdk(start_sdk: Callable[..., None]) -> None:
    """The SDK running, sending to the test's account on the real collector."""
    start_sdk()


@pytest.fixture
def recorded(account: Account) -> Callable[[llmobserve.Frame], Spans]:
    """`recorded(frame)`: flush, then the provider calls (spans with a provider) of the frame's
    run as the collector's API shows them, in the order they were made."""

    def provider_calls(frame: llmobserve.Frame) -> Spans:
        assert llmobserve.flush(timeout=10.0)
        assert frame.run_id is not None
        found: Spans = []
        pending = list(account.run(frame.run_id)["spans"])
        while pending:
            span = pending.pop(0)
            if span["provider"]:
                found.append(span)
            pending.extend(span["children"])
        return sorted(found, key=lambda span: span["timestamp"])

    return provider_calls


def catalog_cost(provider: str, model: str, span: dict[str, Any]) -> Decimal:
    """What genai-prices charges for the span's tokens, as the collector shows money."""
    usage = PriceUsage(
        input_tokens=span["input_tokens"],
        cache_read_tokens=span["cached_input_tokens"],
        cache_write_tokens=span["cache_write_input_tokens"],
        cache_write_1h_tokens=span["cache_write_1h_input_tokens"],
        input_audio_tokens=span["input_audio_tokens"],
        output_tokens=span["output_tokens"],
        output_audio_tokens=span["output_audio_tokens"],
    )
    price = calc_price(usage, model_ref=model, provider_id=provider)
    assert price.model is not None
    return Decimal(price.total_price).quantize(Decimal("1e-10"))


@pytest.fixture
def priced() -> Callable[[dict[str, Any]], Decimal]:
    """`priced(span)`: the span's cost from the catalogue, for comparing with its cost_usd."""
    return lambda span: catalog_cost(span["provider"], span["model"], span)
