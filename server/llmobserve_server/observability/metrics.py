"""The server's Prometheus metrics, and their exposition for GET /metrics.

With several worker processes (`WEB_CONCURRENCY` > 1) each worker counts in its own memory, so
`serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory before starting them; every
worker then writes its values to files there and a scrape, answered by any worker, adds them up
(prometheus_client's multiprocess mode). Gauges sum over live workers (`livesum`).

"Queue latency" is measured where a request waits before it can do work, on the ingest path:

- `stage="threadpool"`: from the event loop handing a batch to a worker thread until the
  thread starts on it (all threads busy: the server is CPU- or database-bound);
- `stage="db_connection"`: from asking the pool for a connection until the batch's transaction
  has begun (pool exhausted, PostgreSQL slow to answer, or on SQLite the write lock).
"""

from __future__ import annotations

import os
from collections import Counter as Tally

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from llmobserve_server import __version__
from llmobserve_server.ingest.schema import BatchResult

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# No `_created` series: they double the output and nothing here graphs them.
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_REQUESTS = Counter(
    "llmobserve_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "llmobserve_http_request_duration_seconds",
    "Time from receiving a request to finishing its response, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HTTP_REQUESTS_IN_PROGRESS = Gauge(
    "llmobserve_http_requests_in_progress",
    "Requests being handled right now.",
    multiprocess_mode="livesum",
)

INGEST_EVENTS = Counter(
    "llmobserve_ingest_events_total",
    "Events received in POST /v1/events batches that were processed, by outcome "
    "(accepted: stored and counted; duplicate: an event id stored before; rejected: see "
    "llmobserve_ingest_events_rejected_total).",
    ["outcome"],
)
INGEST_REJECTED_EVENTS = Counter(
    "llmobserve_ingest_events_rejected_total",
    "Events rejected within processed batches, by error code (invalid_event, quota_exceeded, ...).",
    ["code"],
)
INGEST_BATCH_SIZE = Histogram(
    "llmobserve_ingest_batch_events",
    "Events per processed POST /v1/events batch.",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
)
INGEST_QUEUE_SECONDS = Histogram(
    "llmobserve_ingest_queue_seconds",
    "Time an ingest batch waits before its work starts, by stage (threadpool, db_connection).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)

INGEST_GROUP_BATCHES = Histogram(
    "llmobserve_ingest_group_batches",
    "Batches per group commit: concurrent batches stored in one transaction (ingest/pipeline.py).",
    buckets=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64),
)
INGEST_GROUP_EVENTS = Histogram(
    "llmobserve_ingest_group_events",
    "Events per group commit.",
    buckets=(1, 10, 100, 250, 500, 1000, 2000, 4000, 8000, 16000),
)
INGEST_GROUP_SECONDS = Histogram(
    "llmobserve_ingest_group_seconds",
    "Time to store one group, from its first statement to its commit.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
INGEST_GROUPS_SPLIT = Counter(
    "llmobserve_ingest_groups_split_total",
    "Groups whose transaction failed, so that their batches were stored one by one.",
)

THREADPOOL_WAIT = INGEST_QUEUE_SECONDS.labels(stage="threadpool")
DB_CONNECTION_WAIT = INGEST_QUEUE_SECONDS.labels(stage="db_connection")

BUILD_INFO = Gauge(
    "llmobserve_build_info", "Always 1; the server's version.", ["version"], multiprocess_mode="max"
)
BUILD_INFO.labels(version=__version__).set(1)


def record_batch(result: BatchResult) -> None:
    """Count one processed batch's outcome (per batch: a handful of increments)."""
    INGEST_EVENTS.labels(outcome="accepted").inc(result.accepted)
    INGEST_EVENTS.labels(outcome="duplicate").inc(result.duplicates)
    if result.rejected:
        INGEST_EVENTS.labels(outcome="rejected").inc(len(result.rejected))
        for code, count in Tally(
            item.error.get("code", "unknown") for item in result.rejected
        ).items():
            INGEST_REJECTED_EVENTS.labels(code=code).inc(count)
    INGEST_BATCH_SIZE.observe(result.accepted + result.duplicates + len(result.rejected))


def record_group(*, batches: int, events: int, seconds: float, split: bool) -> None:
    """Count one group commit (or, with `split`, a group stored one batch at a time)."""
    INGEST_GROUP_BATCHES.observe(batches)
    INGEST_GROUP_EVENTS.observe(events)
    INGEST_GROUP_SECONDS.observe(seconds)
    if split:
        INGEST_GROUPS_SPLIT.inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type: this process's, or every
    worker's when the server runs several."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def forget_this_process() -> None:
    """Drop this worker's live gauges from the shared directory (at its shutdown)."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
