"""OTLP ingest beside JSON ingest, in one run: POST /otlp/v1/traces (protobuf GenAI spans) and
POST /v1/events (the wire format's JSON) against the same real server on a fresh PostgreSQL
database, with the same events (one span per event), in alternating windows.

    .venv/bin/python bench/ingest.py --otlp                 # 2 rounds of 10 s windows each
    .venv/bin/python bench/ingest_otlp.py --seconds 5 --rounds 1

Every answer must be a 200 with every event taken (`accepted` = batch for JSON; an
ExportTraceServiceResponse without partial_success for OTLP). The ratio OTLP / JSON is the
median of each path's windows. The load average is printed beside it: this machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from llmobserve_server.testing import postgres_app_role, run_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402
from ingest import EventFactory  # noqa: E402

_INT_FIELDS = {
    "input_tokens": "gen_ai.usage.input_tokens",
    "cached_input_tokens": "gen_ai.usage.cache_read.input_tokens",
    "cache_write_input_tokens": "gen_ai.usage.cache_creation.input_tokens",
    "output_tokens": "gen_ai.usage.output_tokens",
}
_TEXT_FIELDS = {
    "provider": "gen_ai.provider.name",
    "model": "gen_ai.request.model",
    "operation": "gen_ai.operation.name",
    "customer_id": "llmobserve.customer_id",
    "section": "llmobserve.section",
    "agent": "gen_ai.agent.name",
}


def span_of(event: dict[str, Any]) -> Span:
    """The event as a GenAI span, as an instrumentation would send it."""
    start = int(datetime.fromisoformat(event["timestamp"]).timestamp() * 1e9)
    span = Span(
        trace_id=uuid.UUID(event["run_id"]).bytes,
        span_id=bytes.fromhex(event["span_id"]),
        parent_span_id=bytes.fromhex(event["parent_span_id"] or ""),
        name=event["name"],
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=start,
        end_time_unix_nano=start + int(event["duration_ms"] * 1e6),
    )
    attributes = [
        KeyValue(key=key, value=AnyValue(int_value=event[field]))
        for field, key in _INT_FIELDS.items()
    ]
    attributes += [
        KeyValue(key=key, value=AnyValue(string_value=event[field]))
        for field, key in _TEXT_FIELDS.items()
        if event.get(field)
    ]
    span.attributes.extend(attributes)
    if event["status"] == "error":
        span.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=event["error"]))
    return span


def otlp_body(events: list[dict[str, Any]]) -> bytes:
    resource_spans = ResourceSpans(scope_spans=[ScopeSpans(spans=[span_of(e) for e in events])])
    resource_spans.resource.attributes.append(
        KeyValue(key="service.name", value=AnyValue(string_value="bench"))
    )
    return ExportTraceServiceRequest(resource_spans=[resource_spans]).SerializeToString()


class Bodies:
    """Request bodies of `batch` events each, for both doors, from one stream of events."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.factory = EventFactory()

    def events(self) -> list[dict[str, Any]]:
        while len(self.factory.pending) < self.batch:
            self.factory.pending.extend(self.factory._run())
        return [self.factory.pending.popleft() for _ in range(self.batch)]

    def json(self) -> bytes:
        return support.dumps({"events": self.events()})

    def otlp(self) -> bytes:
        return otlp_body(self.events())


def _check_json(batch: int) -> Any:
    def check(status: int, payload: bytes) -> tuple[int, str | None]:
        if status != 200:
            return 0, f"HTTP {status}: {payload[:300]!r}"
        result = json.loads(payload)
        if result.get("accepted") != batch or result.get("rejected"):
            return int(result.get("accepted", 0)), f"not all accepted: {payload[:300]!r}"
        return batch, None

    return check


def _check_otlp(batch: int) -> Any:
    def check(status: int, payload: bytes) -> tuple[int, str | None]:
        if status != 200:
            return 0, f"HTTP {status}: {payload[:300]!r}"
        if payload:  # an empty ExportTraceServiceResponse serialises to no bytes
            return 0, f"partial success: {payload[:300]!r}"
        return batch, None

    return check


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per path")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured load before it")
    parser.add_argument("--rounds", type=int, default=2, help="JSON then OTLP windows, repeated")
    parser.add_argument("--concurrency", type=int, default=8, help="in-flight requests")
    parser.add_argument("--batch", type=int, default=100, help="events (spans) per request")
    parser.add_argument("--max-rate", type=float, default=8_000, help="events/s prebuilt for")
    return parser.parse_args(argv)


def _window(
    door: str, bodies: Bodies, args: argparse.Namespace, port: int, key: str
) -> dict[str, Any]:
    path, content_type, build, check = {
        "json": ("/v1/events", "application/json", bodies.json, _check_json(args.batch)),
        "otlp": (
            "/otlp/v1/traces",
            "application/x-protobuf",
            bodies.otlp,
            _check_otlp(args.batch),
        ),
    }[door]
    count = int((args.warmup + args.seconds) * args.max_rate / args.batch) + 1
    prebuilt = [build() for _ in range(count)]
    head = support.post_head(
        path, "127.0.0.1", port, {"Authorization": f"Bearer {key}", "Content-Type": content_type}
    )
    load_before = os.getloadavg()[0]
    result = support.drive_load(
        host="127.0.0.1",
        port=port,
        head=head,
        bodies=prebuilt,
        build_body=build,
        check=check,
        concurrency=args.concurrency,
        warmup_s=args.warmup,
        window_s=args.seconds,
        timeout_s=60.0,
        on_window_start=lambda: None,
        on_window_end=lambda: None,
    )
    window = {
        "door": door,
        "events_per_s": round(result.window_items / result.window_s),
        "p50_ms": round(support.percentile(result.latencies_ms, 0.5), 1),
        "errors": result.errors,
        "error_samples": result.error_samples,
        "bodies_built_late": result.bodies_built_late,
        "accepted": result.total_items,
        "load_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "body_kb": round(sum(map(len, prebuilt[:20])) / 20 / 1024, 1),
    }
    print(
        f"  {door:>4}: {window['events_per_s']:>6} events/s, p50 {window['p50_ms']} ms, "
        f"errors {window['errors']}, load {window['load_1m']}",
        flush=True,
    )
    return window


def run(args: argparse.Namespace) -> dict[str, Any]:
    summary: dict[str, Any] = {"benchmark": "ingest-otlp", **support.machine_info()}
    bodies = Bodies(args.batch)
    with (
        tempfile.TemporaryDirectory(prefix="llmo-bench-otlp-") as tmp,
        postgres_app_role(support.ADMIN_URL) as role,
        support.fresh_database("ingest_otlp") as url,
    ):
        with run_server(
            backend="postgresql",
            database_url=role.url_for(url),
            owner_database_url=url,
            data_dir=Path(tmp) / "data",
            serve_args=["--no-access-log", "--log-level", "warning"],
        ) as server:
            key = support.sign_up_with_key(server)
            windows = []
            for _ in range(args.rounds):
                for door in ("json", "otlp"):
                    windows.append(_window(door, bodies, args, server.port, key))
                    time.sleep(1.0)
        summary["windows"] = windows
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"OTLP vs JSON ingest: {args.rounds} round(s) of {args.seconds:g} s windows, "
        f"concurrency {args.concurrency}, {args.batch} events per request",
        flush=True,
    )
    summary = run(args)
    medians = {
        door: statistics.median(w["events_per_s"] for w in summary["windows"] if w["door"] == door)
        for door in ("json", "otlp")
    }
    ratio = medians["otlp"] / medians["json"] if medians["json"] else float("nan")
    errors = sum(w["errors"] for w in summary["windows"])
    print()
    print(
        f"median events/s: JSON {medians['json']:.0f}, OTLP protobuf {medians['otlp']:.0f}; "
        f"OTLP / JSON = {ratio:.2f} (target >= 0.7); errors {errors}; "
        f"load average now {os.getloadavg()}"
    )
    summary.update(medians=medians, ratio=round(ratio, 3), errors=errors)
    print("JSON " + json.dumps(summary, separators=(",", ":")))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
