"""A Node.js app (the OpenTelemetry JS SDK and its OTLP/HTTP protobuf exporter, from npm) sends
GenAI spans to the real server, configured only by the standard OTEL_EXPORTER_OTLP_* variables.

The npm packages come from the committed package.json and package-lock.json
(tests/support/node_otlp.py: `npm ci` into a cache directory; with CI set, a failed install fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from genai_prices import Usage, calc_price

from tests.support.node_otlp import NODE_PROJECT, installed_node_project

STORED_PLACES = Decimal("1E-10")


@pytest.fixture(scope="module")
def node_project() -> Path:
    project = installed_node_project()
    shutil.copy(NODE_PROJECT / "emit_genai_spans.mjs", project / "emit_genai_spans.mjs")
    return project


def catalog_price(provider: str, model: str, **tokens: int) -> Decimal:
    price = calc_price(
        Usage(**tokens),
        model,
        provider_id=provider,
        genai_request_timestamp=datetime.now(timezone.utc),
    )
    return Decimal(price.total_price).quantize(STORED_PLACES)


def test_a_node_app_exports_genai_spans_that_are_priced_to_the_decimal(
    node_project: Path, base_url: str, api_key: str, keyed: httpx.Client
) -> None:
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"{base_url}/otlp",
        "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {api_key}",
    }
    result = subprocess.run(
        ["node", "emit_genai_spans.mjs"],
        cwd=node_project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    trace_id = result.stdout.strip().splitlines()[-1]

    costs = keyed.get("/v1/costs", params={"group_by": "model"}).json()
    expected = catalog_price(
        "openai",
        "gpt-4o-mini-2024-07-18",
        input_tokens=2000,
        cache_read_tokens=1024,
        output_tokens=300,
    ) + catalog_price("anthropic", "claude-3-5-haiku-20241022", input_tokens=500, output_tokens=40)
    assert Decimal(costs["total_cost_usd"]) == expected
    run = keyed.get(f"/v1/runs/{trace_id}").json()
    (handler,) = run["spans"]
    assert handler["name"] == "POST /recommend"
    calls = {child["model"]: child for child in handler["children"]}
    assert calls["claude-3-5-haiku-20241022"]["status"] == "error"
