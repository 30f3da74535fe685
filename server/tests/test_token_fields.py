"""The token fields are defined once, in `ingest.rows.TOKEN_FIELDS`: the wire schema, the
stored events, the rollups, the cost reports and the SDK's event builder carry exactly those
fields, in that order, so that adding one is caught everywhere it has to go."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

from llmobserve._call import TOKEN_FIELDS as SDK_TOKEN_FIELDS
from llmobserve_server.analytics.costs import COUNTS, CostRow
from llmobserve_server.db.models import TraceEvent, UsageDaily, UsageHourly
from llmobserve_server.ingest.rows import TOKEN_FIELDS
from llmobserve_server.ingest.schema import EventIn

SCHEMA = Path(__file__).parents[2] / "schema" / "events.v1.json"


def tokens(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(name for name in names if name.endswith("_tokens"))


def test_the_wire_schema_has_exactly_the_token_fields() -> None:
    schema = json.loads(SCHEMA.read_text())
    properties = schema["$defs"]["EventIn"]["properties"]  # sorted by name in the file
    assert sorted(tokens(properties)) == sorted(TOKEN_FIELDS)
    assert tokens(EventIn.model_fields) == TOKEN_FIELDS


def test_stored_events_and_rollups_have_exactly_the_token_fields() -> None:
    for model in (TraceEvent, UsageHourly, UsageDaily):
        assert tokens(model.__table__.columns.keys()) == TOKEN_FIELDS, model.__name__


def test_cost_reports_count_exactly_the_token_fields() -> None:
    assert tokens(COUNTS) == TOKEN_FIELDS
    assert tokens(field.name for field in dataclasses.fields(CostRow)) == TOKEN_FIELDS


def test_the_sdk_builds_events_with_exactly_the_token_fields() -> None:
    assert SDK_TOKEN_FIELDS == TOKEN_FIELDS
