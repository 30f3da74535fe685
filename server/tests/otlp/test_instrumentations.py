"""Instrumentations nobody here wrote, exporting with the real OTLP/HTTP exporter to the real
server: each drives the real client library against a local fake upstream, and the cost the
server computed from the spans is checked in /v1/costs to the decimal (against genai-prices).

- `opentelemetry-instrumentation-genai-openai` (the successor of openai-v2, which no longer
  imports with openai 3.x) with `openai`;
- OpenLLMetry's `opentelemetry-instrumentation-anthropic` with `anthropic`;
- OpenInference's `openinference-instrumentation-openai` with `openai`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
from genai_prices import Usage, calc_price
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

sys.path.insert(0, str(Path(__file__).parents[3] / "sdk" / "python" / "tests"))
from fakes.anthropic_upstream import AnthropicScenario, FakeAnthropic  # noqa: E402
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario  # noqa: E402

STORED_PLACES = Decimal("1E-10")


@pytest.fixture
def tracer_provider(base_url: str, api_key: str) -> Iterator[TracerProvider]:
    """An OpenTelemetry SDK set up as a team would: the OTLP/HTTP protobuf exporter, batching."""
    exporter = OTLPSpanExporter(
        endpoint=f"{base_url}/otlp/v1/traces",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    provider = TracerProvider(resource=Resource.create({"service.name": "support-bot"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    yield provider
    provider.shutdown()


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def fake_anthropic() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic()
    yield fake
    fake.close()


def catalog_price(provider: str, model: str, **tokens: int) -> Decimal:
    usage = Usage(**tokens)
    price = calc_price(
        usage, model, provider_id=provider, genai_request_timestamp=datetime.now(timezone.utc)
    )
    return Decimal(price.total_price).quantize(STORED_PLACES)


def exported_costs(provider: TracerProvider, keyed: httpx.Client) -> dict[str, Any]:
    assert provider.force_flush(10_000)
    response = keyed.get("/v1/costs", params={"group_by": "model"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_official_openai_instrumentation_is_priced_to_the_decimal(
    tracer_provider: TracerProvider, fake_openai: FakeOpenAI, keyed: httpx.Client
) -> None:
    from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor

    fake_openai.scenario = OpenAIScenario(input_tokens=1200, cached_tokens=1024, output_tokens=80)
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider)
    try:
        client = openai.OpenAI(api_key="sk-fake", base_url=fake_openai.base_url)
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
        )
    finally:
        instrumentor.uninstrument()

    costs = exported_costs(tracer_provider, keyed)
    (row,) = costs["rows"]
    assert row["key"] == "gpt-4o-mini-2024-07-18"
    assert (row["input_tokens"], row["cached_input_tokens"]) == (1200, 1024)
    expected = catalog_price(
        "openai",
        "gpt-4o-mini-2024-07-18",
        input_tokens=1200,
        cache_read_tokens=1024,
        output_tokens=80,
    )
    assert Decimal(costs["total_cost_usd"]) == expected


def test_openllmetry_anthropic_counts_cache_reads_and_writes_once(
    tracer_provider: TracerProvider, fake_anthropic: FakeAnthropic, keyed: httpx.Client
) -> None:
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor

    fake_anthropic.scenario = AnthropicScenario(
        input_tokens=30, cache_read_input_tokens=2000, cache_creation_input_tokens=500
    )
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider)
    try:
        client = anthropic.Anthropic(api_key="sk-ant-fake", base_url=fake_anthropic.url)
        client.messages.create(
            model="claude-3-5-haiku-latest",
            max_tokens=64,
            messages=[{"role": "user", "content": "Hi"}],
        )
    finally:
        instrumentor.uninstrument()

    costs = exported_costs(tracer_provider, keyed)
    (row,) = costs["rows"]
    model = str(row["key"])
    assert (row["input_tokens"], row["cached_input_tokens"]) == (2530, 2000)
    expected = catalog_price(
        "anthropic",
        model,
        input_tokens=2530,
        cache_read_tokens=2000,
        cache_write_tokens=500,
        output_tokens=4,
    )
    assert Decimal(costs["total_cost_usd"]) == expected


def test_openinference_openai_is_priced_to_the_decimal(
    tracer_provider: TracerProvider, fake_openai: FakeOpenAI, keyed: httpx.Client
) -> None:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    fake_openai.scenario = OpenAIScenario(input_tokens=900, cached_tokens=0, output_tokens=150)
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=tracer_provider)
    try:
        client = openai.OpenAI(api_key="sk-fake", base_url=fake_openai.base_url)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    finally:
        instrumentor.uninstrument()

    costs = exported_costs(tracer_provider, keyed)
    (row,) = costs["rows"]
    assert row["key"] == "gpt-4o-2024-08-06"
    expected = catalog_price("openai", "gpt-4o-2024-08-06", input_tokens=900, output_tokens=150)
    assert Decimal(costs["total_cost_usd"]) == expected
