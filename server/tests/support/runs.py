"""Realistic runs for the runs and prices tests: run → agent → section → several LLM calls."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.support.factories import event, send


def nested_run(
    *,
    name: str = "answer-ticket",
    customer_id: str | None = "acme",
    agent: str = "triage",
    section: str = "support/retrieval",
    failing: bool = True,
    started: datetime | None = None,
    run_id: str | None = None,
    scale: int = 1,
) -> tuple[str, list[dict[str, Any]]]:
    """A run's events: a root span, an agent span, a section span and three LLM calls under it
    (the last one failing when `failing`), with tokens times `scale`. Returns (run_id, events)."""
    run_id = run_id or f"run-{uuid.uuid4().hex[:10]}"
    t0 = started or datetime.now(timezone.utc) - timedelta(minutes=5)
    common = {"run_id": run_id, "customer_id": customer_id}

    def at(ms: int) -> str:
        return (t0 + timedelta(milliseconds=ms)).isoformat()

    def span(
        span_id: str, parent: str | None, ms: int, duration: int, **fields: Any
    ) -> dict[str, Any]:
        return event(
            **common,
            span_id=span_id,
            parent_span_id=parent,
            timestamp=at(ms),
            duration_ms=duration,
            **fields,
        )

    def container(operation: str) -> dict[str, Any]:
        # What the SDK sends when a run, agent or section closes (docs/api/events.md).
        return {
            "provider": None,
            "model": None,
            "operation": operation,
            "cost_usd": "0",
            "input_tokens": 0,
            "output_tokens": 0,
        }

    events = [
        span("root", None, 0, 4200, name=name, **container("run")),
        span("agent", "root", 50, 4000, name=f"agent {agent}", agent=agent, **container("agent")),
        span(
            "section",
            "agent",
            100,
            3800,
            name=section,
            agent=agent,
            section=section,
            **container("section"),
        ),
        span(
            "call-1",
            "section",
            150,
            900,
            name="classify",
            agent=agent,
            section=section,
            model="gpt-4o-mini",
            input_tokens=1200 * scale,
            cached_input_tokens=200,
            output_tokens=80 * scale,
        ),
        span(
            "call-2",
            "section",
            1100,
            1700,
            name="draft reply",
            agent=agent,
            section=section,
            model="gpt-4o",
            input_tokens=3000 * scale,
            output_tokens=450 * scale,
        ),
        span(
            "call-3",
            "section",
            2850,
            1000,
            name="check policy",
            agent=agent,
            section=section,
            provider="anthropic",
            model="claude-3-5-haiku-latest",
            input_tokens=800 * scale,
            output_tokens=60,
            **(
                {"status": "error", "error": "RateLimitError: 429 Too Many Requests"}
                if failing
                else {}
            ),
        ),
    ]
    return run_id, events


def send_run(client: httpx.Client, **options: Any) -> str:
    """Send a `nested_run` with an API-key client; returns its run id."""
    run_id, events = nested_run(**options)
    send(client, *events)
    return run_id
