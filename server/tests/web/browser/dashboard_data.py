"""Realistic usage for the dashboard's browser tests and screenshots: several providers, models,
customers, sections and agents over the last ten days, sent through the real ingest API."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.support.factories import event, send

MODELS = [  # (provider, model, weight, input tokens, output tokens)
    ("openai", "gpt-4o", 3, 2400, 450),
    ("openai", "gpt-4o-mini", 8, 1800, 300),
    ("anthropic", "claude-sonnet-4-20250514", 4, 3200, 700),
    ("anthropic", "claude-3-5-haiku-20241022", 4, 1500, 250),
    ("openai", "text-embedding-3-small", 5, 600, 0),
]
AGENTS = {  # agent: its sections
    "support-bot": ["support/answer", "support/retrieval"],
    "research-agent": ["research/plan", "research/summarize"],
    "sales/email-writer": ["sales/outreach"],
}
CUSTOMERS = ["acme-corp", "globex", "initech", "umbrella", "hooli", "stark-industries", "wayne"]
CUSTOMER_WEIGHTS = [9, 6, 4, 3, 2, 2, 1]


def realistic_events(*, days: int = 10, runs: int = 180, seed: int = 7) -> list[dict[str, Any]]:
    """About four events per run, growing towards today; a few use a model without a price."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    events = []
    for index in range(runs):
        age = timedelta(hours=days * 24 * (1 - (rng.random() ** 0.8)))
        started = now - age - timedelta(minutes=5)
        agent = rng.choice(list(AGENTS))
        customer = rng.choices(CUSTOMERS, CUSTOMER_WEIGHTS)[0]
        run_id = f"run-{index:04d}-{uuid.uuid4().hex[:6]}"
        for step in range(rng.randint(2, 6)):
            provider, model, _, tokens_in, tokens_out = rng.choices(MODELS, [m[2] for m in MODELS])[
                0
            ]
            events.append(
                event(
                    timestamp=(started + timedelta(seconds=step * 7)).isoformat(),
                    run_id=run_id,
                    name=f"{agent} step {step + 1}",
                    provider=provider,
                    model=model,
                    operation="embedding" if "embedding" in model else "chat",
                    input_tokens=int(tokens_in * rng.uniform(0.4, 2.2)),
                    output_tokens=int(tokens_out * rng.uniform(0.3, 1.8)),
                    agent=agent,
                    section=rng.choice(AGENTS[agent]),
                    customer_id=customer,
                )
            )
    unpriced = {"provider": "mistral", "model": "mistral-large-internal", "agent": "support-bot"}
    events.extend(event(**unpriced) for _ in range(3))
    return events


def send_realistic_usage(client: httpx.Client) -> int:
    events = realistic_events()
    for start in range(0, len(events), 500):
        send(client, *events[start : start + 500])
    return len(events)
