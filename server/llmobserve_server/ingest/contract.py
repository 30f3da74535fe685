"""The wire format as a JSON Schema document: the contract the SDK's tests check against.

`python -m llmobserve_server.ingest.contract > schema/events.v1.json` regenerates the committed
copy; a test fails when the two differ.
"""

from __future__ import annotations

import json
from typing import Any

from llmobserve_server.ingest.schema import BatchIn


def events_schema() -> dict[str, Any]:
    schema = BatchIn.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://llmobserve.dev/schema/events.v1.json",
        "title": "llmobserve events batch (v1)",
        **schema,
    }


def render() -> str:
    return json.dumps(events_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
