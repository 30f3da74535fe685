"""The OpenTelemetry door of the ingest pipeline: OTLP/HTTP trace exports (protobuf or JSON)
decoded into the same event dicts that `/v1/events` takes (`decode_export`), which then go through
the one pipeline (`ingest.service.read_batch` + `ingest_batch`). Nothing here writes.

    body.py        bytes + Content-Type → ExportTraceServiceRequest (the official protobuf classes)
    attributes.py  OTLP AnyValue / KeyValue lists → plain Python values
    providers.py   gen_ai.provider.name / gen_ai.system / llm.provider → the catalogue's ids
    tokens.py      the token attributes of every instrumentation → our token fields
    spans.py       one span → one event dict (GenAI spans) or a structural span (their ancestors)
    export.py      a whole export: which spans become events, which are dropped or refused
    answer.py      the ExportTraceServiceResponse, with partial_success
"""

from __future__ import annotations

from llmobserve_server.ingest.otlp.answer import export_response
from llmobserve_server.ingest.otlp.body import OtlpEncoding, parse_export
from llmobserve_server.ingest.otlp.export import DecodedExport, decode_export

__all__ = ["DecodedExport", "OtlpEncoding", "decode_export", "export_response", "parse_export"]
