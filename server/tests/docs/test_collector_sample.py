"""The OpenTelemetry Collector block of docs/sdk/opentelemetry.md: no Collector binary is
installed here, so the block is checked as the Collector would read it (a traces pipeline from
the OTLP receiver to an `otlphttp` exporter at the server's `/otlp`, with the key in an
Authorization header and gzip), and the request that exporter sends (protobuf to
`<endpoint>/v1/traces`, gzip, those headers) is sent to a real server."""

from __future__ import annotations

import gzip
import os
import re
from typing import Any

import httpx
import yaml

from llmobserve_server.testing import RunningServer
from tests.docs.markdown_samples import blocks
from tests.docs.runner import DOCS_URL
from tests.support.factories import sign_up
from tests.support.otlp_spans import chat_span, export, export_answer


def collector_config() -> dict[str, Any]:
    (block,) = [b for b in blocks() if b.page == "sdk/opentelemetry.md" and b.language == "yaml"]
    config = yaml.safe_load(block.code)
    assert isinstance(config, dict)
    return config


def expand_env(value: str, environment: dict[str, str]) -> str:
    """The Collector's `${env:NAME}` substitution."""
    return re.sub(r"\$\{env:(\w+)\}", lambda m: environment[m.group(1)], value)


def test_the_collector_block_sends_traces_to_the_otlphttp_exporter() -> None:
    config = collector_config()
    (pipeline,) = config["service"]["pipelines"].values()
    (exporter_name,) = pipeline["exporters"]
    assert exporter_name.split("/")[0] == "otlphttp"
    assert pipeline["receivers"] == ["otlp"]
    assert set(pipeline["processors"]) <= set(config["processors"])
    exporter = config["exporters"][exporter_name]
    assert exporter["endpoint"] == f"{DOCS_URL}/otlp"
    assert exporter["headers"] == {"Authorization": "Bearer ${env:LLMOBSERVE_API_KEY}"}
    assert exporter["compression"] == "gzip"


def test_the_request_the_collector_block_describes_is_stored(
    docs_server: RunningServer,
) -> None:
    user = sign_up(docs_server.base_url)
    environment = {**os.environ, "LLMOBSERVE_API_KEY": user.create_key("collector")}
    exporter = collector_config()["exporters"]["otlphttp/llmobserve"]
    endpoint = exporter["endpoint"].replace(DOCS_URL, docs_server.base_url)
    headers = {name: expand_env(value, environment) for name, value in exporter["headers"].items()}
    headers |= {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}
    body = gzip.compress(export(chat_span()).SerializeToString())

    response = httpx.post(f"{endpoint}/v1/traces", content=body, headers=headers, timeout=30)

    assert not export_answer(response).HasField("partial_success")
    costs = user.client.get("/v1/costs", params={"group_by": "model"}).json()
    assert [row["key"] for row in costs["rows"]] == ["gpt-4o-mini"]
    user.client.close()
