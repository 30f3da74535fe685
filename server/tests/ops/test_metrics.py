"""GET /metrics: Prometheus text with the HTTP, ingest and pool metrics, behind METRICS_TOKEN."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from llmobserve_server.testing import RunningServer
from tests.ops.support import METRICS_TOKEN
from tests.support.databases import server_for
from tests.support.factories import SignedInUser, event, sign_up

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base_url: str, token: str | None = METRICS_TOKEN) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(f"{base_url}/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_ingest_counts_accepted_duplicate_and_rejected_events(
    json_server: RunningServer, ops_user: SignedInUser
) -> None:
    key = ops_user.create_key()
    before = scrape(json_server.base_url)
    stored = event()
    batch = [stored, stored, {"id": "not-a-uuid"}, event(model="gpt-4o")]
    response = httpx.post(
        f"{json_server.base_url}/v1/events",
        json={"events": batch},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.json()["accepted"] == 2
    after = scrape(json_server.base_url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("llmobserve_ingest_events_total", outcome="accepted") == 2
    assert grew("llmobserve_ingest_events_total", outcome="duplicate") == 1
    assert grew("llmobserve_ingest_events_total", outcome="rejected") == 1
    assert grew("llmobserve_ingest_events_rejected_total", code="invalid_event") == 1
    assert grew("llmobserve_ingest_batch_events_count") == 1
    assert grew("llmobserve_ingest_batch_events_sum") == 4
    assert grew("llmobserve_ingest_queue_seconds_count", stage="threadpool") == 1
    assert grew("llmobserve_ingest_queue_seconds_count", stage="db_connection") == 1


def test_requests_are_counted_by_route_template_not_by_path(
    json_server: RunningServer, ops_user: SignedInUser
) -> None:
    for _ in range(2):
        ops_user.client.get(f"/v1/runs/{uuid.uuid4()}")
    samples = scrape(json_server.base_url)
    route = "/v1/runs/{run_id:path}"
    assert value(samples, "llmobserve_http_requests_total", method="GET", route=route, status="404")
    assert value(
        samples, "llmobserve_http_request_duration_seconds_count", method="GET", route=route
    )
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any(r and r.startswith("/v1/runs/") and r != route for r in routes), routes


def test_an_unknown_path_is_counted_as_unmatched(json_server: RunningServer) -> None:
    httpx.get(f"{json_server.base_url}/no/such/{uuid.uuid4()}")
    samples = scrape(json_server.base_url)
    assert value(
        samples, "llmobserve_http_requests_total", method="GET", route="unmatched", status="404"
    )


def test_the_database_pool_is_reported(json_server: RunningServer) -> None:
    samples = scrape(json_server.base_url)
    assert value(samples, "llmobserve_db_pool_size") >= 1
    assert ("llmobserve_db_pool_checked_out_connections", frozenset()) in samples
    assert ("llmobserve_db_pool_overflow_connections", frozenset()) in samples


def test_metrics_need_the_token_when_one_is_set(json_server: RunningServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
        response = httpx.get(f"{json_server.base_url}/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_metrics_token"


def test_metrics_are_off_in_production_without_a_token(tmp_path: Path) -> None:
    env = {"LLMOBSERVE_ENV": "production", "SECRET_KEY": "s" * 40}
    with server_for("sqlite", tmp_path, "prod", env) as running:
        response = httpx.get(f"{running.base_url}/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "metrics_disabled"


def test_metrics_add_up_over_several_workers(tmp_path: Path) -> None:
    with server_for("sqlite", tmp_path, "workers", {"WEB_CONCURRENCY": "2"}) as running:
        # Ready means one worker answers; the other may still be starting on a busy machine.
        running.wait_for_log("Application startup complete", count=2, timeout=120)
        user = sign_up(running.base_url)
        key = user.create_key()
        user.client.close()
        for _ in range(6):  # new connections: the kernel spreads them over both workers
            with httpx.Client(base_url=running.base_url) as client:
                response = client.post(
                    "/v1/events",
                    json={"events": [event()]},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert response.status_code == 200
        totals = [scrape(running.base_url, token=None) for _ in range(4)]
    for samples in totals:  # whichever worker answered the scrape
        assert value(samples, "llmobserve_ingest_events_total", outcome="accepted") == 6
        assert value(samples, "llmobserve_db_pool_size") == 2 * 5  # SQLite: 5 per worker
