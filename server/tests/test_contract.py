"""The committed JSON Schema of the wire format is the one the server validates with."""

from __future__ import annotations

from pathlib import Path

from llmobserve_server.ingest.contract import render

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "events.v1.json"


def test_committed_schema_matches_the_server_models() -> None:
    assert SCHEMA_FILE.read_text() == render(), (
        "schema/events.v1.json is stale: run `make schema` and commit the result"
    )
