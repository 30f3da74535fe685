"""A Node.js app (the OpenTelemetry JS SDK and its OTLP/HTTP protobuf exporter, from npm) sends
GenAI spans to the real server, configured only by the standard OTEL_EXPORTER_OTLP_* variables.

The npm packages are installed with `npm ci` from the committed package.json and
package-lock.json into a cache directory keyed by the lock file, once per machine. When CI is
set, an install that fails (or a missing node) fails the test; elsewhere it skips it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from genai_prices import Usage, calc_price

NODE_PROJECT = Path(__file__).parent / "node"
STORED_PLACES = Decimal("1E-10")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Node.js OTLP test cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node_project() -> Path:
    """A directory with the npm packages installed (`npm ci`), cached by the lock file's hash."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("node and npm are not on PATH")
    lock = (NODE_PROJECT / "package-lock.json").read_bytes()
    cache_root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = cache_root / "llmobserve" / "otlp-node" / hashlib.sha256(lock).hexdigest()[:16]
    if not (target / "node_modules" / ".package-lock.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent))
        for name in ("package.json", "package-lock.json"):
            shutil.copy(NODE_PROJECT / name, staging / name)
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            _unavailable(f"npm ci failed: {result.stderr[-2000:]}")
        try:
            staging.rename(target)  # atomic: a concurrent run sees all of it or nothing
        except OSError:  # another run installed it first
            shutil.rmtree(staging, ignore_errors=True)
    shutil.copy(NODE_PROJECT / "emit_genai_spans.mjs", target / "emit_genai_spans.mjs")
    return target


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
