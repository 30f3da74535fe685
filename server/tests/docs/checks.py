"""What each docs sample claims, checked against what the server (and the fake providers)
received. One function per `<!-- sample: NAME -->`, registered under that name; seeds put data
in the account before a sample that reads it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmobserve_server.db.migrate import head_revision
from tests.docs.markdown_samples import DOCS
from tests.docs.runner import DocsAccount, SampleRun, calls_of

Check = Callable[[SampleRun], None]
CHECKS: dict[str, Check] = {}
SEEDS: dict[str, Callable[[DocsAccount], None]] = {}
VERSION = (Path(__file__).parents[3] / "VERSION").read_text().strip()
READ_UNIT = Decimal(16) / 1_000_000


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


def operations(run: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return sorted((call["provider"], call["operation"]) for call in calls_of(run))


# -- Getting Started --------------------------------------------------------------------------


@check("installation-environment")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["True"]


@check("quick-start")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    (run,) = sample.account.runs()
    (call,) = calls_of(sample.account.get(f"/v1/runs/{run['run_id']}"))
    assert (call["provider"], call["model"]) == ("openai", "gpt-4o-mini-2024-07-18")
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)
    assert Decimal(call["cost_usd"]) > 0 and call["cost_source"] == "catalog"


@check("quick-start-attribution")
def _(sample: SampleRun) -> None:
    run = sample.account.run_named("answer-ticket")
    assert run["customer_id"] == "acme"
    assert operations(run) == [("openai", "chat")]
    assert set(sample.account.costs("section")) == {"support"}
    assert set(sample.account.costs("customer")) == {"acme"}


@check("quick-start-flush")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["connected to Docs Reader's account"]
    run = sample.account.run_named("quickstart")
    assert run["customer_id"] == "acme" and run["total_cost_usd"] == "0.004200"


@check("first-api-call")
def _(sample: SampleRun) -> None:
    answer, row = sample.stdout.split("\n", 1)
    assert json.loads(answer) == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert json.loads(row)["cost_usd"] == "0.000360"
    assert sample.account.costs("model") == {"gpt-4o-mini": "0.000360"}  # signed in as the user


# -- SDK Reference ----------------------------------------------------------------------------


@check("configuration-options")
def _(sample: SampleRun) -> None:
    assert "'sent': 1" in sample.stdout and "'dropped': 0" in sample.stdout
    # a track() event without provider or model shows under its name
    assert sample.account.costs("provider") == {"configured": "0.010000"}


@check("configuration-ping")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["refused: invalid_api_key"]


@check("configuration-refused-key")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["0 1 2"]
    assert "It prints `0 1 2`" in (DOCS / sample.block.page).read_text()  # the text says so too


@check("configuration-disabled")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["False"]


@check("openai-calls")
def _(sample: SampleRun) -> None:
    run = sample.account.run_named("openai-tour")
    assert operations(run) == [("openai", "chat"), ("openai", "embedding"), ("openai", "responses")]
    assert all(Decimal(call["cost_usd"]) > 0 for call in calls_of(run))


@check("openai-streaming")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    (call,) = calls_of(sample.account.run_named("streamed-answer"))
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)
    (request,) = sample.upstreams.openai.requests
    assert request.body["stream_options"] == {"include_usage": True}


@check("google-genai-calls")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    calls = calls_of(sample.account.run_named("gemini-tour"))
    assert [(c["provider"], c["model"], c["input_tokens"], c["output_tokens"]) for c in calls] == [
        ("google", "gemini-2.0-flash-001", 120, 9),
        ("google", "gemini-2.0-flash-001", 120, 9),
    ]
    assert all(Decimal(c["cost_usd"]) > 0 and c["cost_source"] == "catalog" for c in calls)
    assert len(sample.upstreams.gemini.requests) == 2


@check("providers-named")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    (call,) = calls_of(sample.account.run_named("self-hosted"))
    assert (call["provider"], call["input_tokens"], call["output_tokens"]) == ("vllm", 21, 3)
    assert call["cost_source"] == "unknown_model"  # until the account adds a price for it
    (request,) = sample.upstreams.openai.requests
    assert request.body["stream_options"] == {"include_usage": True}


@check("openai-async")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["['Hello there!', 'Hello there!', 'Hello there!']"]
    run = sample.account.run_named("parallel-questions")
    assert operations(run) == [("openai", "chat")] * 3


@check("anthropic-messages")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    (call,) = calls_of(sample.account.run_named("summarize"))
    assert (call["provider"], call["model"]) == ("anthropic", "claude-haiku-4-5-20251001")
    assert call["section"] == "summaries" and Decimal(call["cost_usd"]) > 0


@check("anthropic-streaming")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    (call,) = calls_of(sample.account.run_named("streamed-summary"))
    assert (call["input_tokens"], call["output_tokens"]) == (14, 4)


@check("pinecone-query")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["['doc-1']"]
    run = sample.account.run_named("search")
    assert operations(run) == [("pinecone", "query"), ("pinecone", "upsert")]
    (query,) = [call for call in calls_of(run) if call["operation"] == "query"]
    assert query["section"] == "search/retrieval"
    assert Decimal(query["cost_usd"]) == 6 * READ_UNIT


@check("sections-nested")
def _(sample: SampleRun) -> None:
    assert set(sample.account.costs("section")) == {"support/retrieval", "support/drafting"}
    run = sample.account.run_named("answer-ticket")
    assert operations(run) == [("openai", "chat"), ("openai", "embedding")]


@check("sections-decorator")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["['a', 'b']"]
    assert sample.account.costs("section") == {"rerank": "0.000200"}


@check("customers-web-handler")
def _(sample: SampleRun) -> None:
    rows = customer_rows(sample.account)
    by_customer = {row["key"]: row["events"] for row in rows if row["key"]}
    assert by_customer == {"acme": 2, "globex": 1}


@check("customers-track-override")
def _(sample: SampleRun) -> None:
    assert sample.account.costs("customer") == {"acme": "0.003000", "globex": "0.003000"}


@check("runs-frame")
def _(sample: SampleRun) -> None:
    (run_id,) = sample.lines
    run = sample.account.get(f"/v1/runs/{run_id}")
    assert run["name"] == "import-invoices" and run["total_cost_usd"] == "0.010000"


@check("agents-planner-writer")
def _(sample: SampleRun) -> None:
    assert set(sample.account.costs("agent")) == {"planner", "writer"}
    run = sample.account.run_named("blog-post")
    agents = {span["agent"]: span["model"] for span in calls_of(run)}
    assert agents == {"planner": "gpt-4o-mini-2024-07-18", "writer": "gpt-4o-2024-08-06"}


@check("runs-threads")
def _(sample: SampleRun) -> None:
    run = sample.account.run_named("nightly-report")
    assert len(calls_of(run)) == 3 and run["total_cost_usd"] == "0.003000"


@check("custom-events-track")
def _(sample: SampleRun) -> None:
    run = sample.account.run_named("scan-contract")
    assert run["customer_id"] == "acme" and run["total_cost_usd"] == "0.001500"
    (call,) = calls_of(run)
    assert (call["provider"], call["cost_source"]) == ("acme-ocr", "client")


@check("custom-events-tokens")
def _(sample: SampleRun) -> None:
    assert sample.account.costs("model") == {"gpt-4o-mini": "0.000360"}


# -- API Reference ----------------------------------------------------------------------------


@check("api-sign-in-out")
def _(sample: SampleRun) -> None:
    account, *status, after = sample.lines
    assert json.loads(account)["name"] == "Docs Reader's account"
    assert (*status, after) == ("204", "401", "not_authenticated")


@check("api-keys-rotate")
def _(sample: SampleRun) -> None:
    prefix, status = sample.lines
    assert prefix.startswith("llmo_sk_") and status == "204"
    with sample.account.session() as session:
        keys = {key["name"]: key for key in session.get("/v1/api-keys").json()["api_keys"]}
    assert keys["production-1"]["revoked_at"] is not None
    assert keys["production-2"]["revoked_at"] is None


@check("api-ping")
def _(sample: SampleRun) -> None:
    assert json.loads(sample.stdout)["name"] == "production-1"


def seed_ticket_run(account: DocsAccount) -> None:
    """The events of the Events API sample (run ticket-4711 for customer acme)."""
    now = datetime.now(timezone.utc).isoformat()
    common = {"timestamp": now, "run_id": "ticket-4711", "customer_id": "acme"}
    events = [
        {
            **common,
            "id": "0b7d6c7e-1f0a-4a5e-9a43-6f3c1c2e9d01",
            "provider": "anthropic",
            "model": "claude-haiku-4-5",
            "operation": "chat",
            "input_tokens": 5000,
            "cached_input_tokens": 4000,
            "output_tokens": 200,
            "section": "support/drafting",
            "agent": "writer",
        },
        {
            **common,
            "id": "0b7d6c7e-1f0a-4a5e-9a43-6f3c1c2e9d02",
            "provider": "acme-ocr",
            "name": "ocr-page",
            "units": {"pages": 2},
            "cost_usd": "0.0030",
            "section": "support/intake",
        },
    ]
    response = account.api.post("/v1/events", json={"events": events})
    assert response.json()["accepted"] == 2, response.text


def customer_rows(account: DocsAccount) -> list[dict[str, Any]]:
    return list(account.get("/v1/costs", group_by="customer")["rows"])


@check("api-events-post")
def _(sample: SampleRun) -> None:
    answer = json.loads(sample.stdout)
    assert (answer["accepted"], answer["duplicates"]) == (2, 0)
    ((rejected),) = answer["rejected"]
    assert rejected["index"] == 2 and rejected["error"]["code"] == "invalid_event"
    run = sample.account.get("/v1/runs/ticket-4711")
    assert {span["section"] for span in calls_of(run)} == {"support/drafting", "support/intake"}


SEEDS["api-runs-list"] = SEEDS["api-run-detail"] = seed_ticket_run
SEEDS["api-costs-by-customer"] = seed_ticket_run


@check("api-runs-list")
def _(sample: SampleRun) -> None:
    (line,) = sample.lines
    total = sample.account.get("/v1/runs/ticket-4711")["total_cost_usd"]
    assert line.startswith("ticket-4711 ") and line.endswith(f" {total}")


@check("api-run-detail")
def _(sample: SampleRun) -> None:
    detail = json.loads(sample.stdout)
    assert {span["section"] for span in detail["spans"]} == {"support/drafting", "support/intake"}


@check("api-costs-by-customer")
def _(sample: SampleRun) -> None:
    (line,) = sample.lines
    (row,) = [row for row in customer_rows(sample.account) if row["key"]]
    assert line == f"acme {row['cost_usd']} 2"


@check("api-forecast")
def _(sample: SampleRun) -> None:
    assert json.loads(sample.stdout) == {"spent_usd": "0.000000", "projected_usd": "0.000000"}


@check("api-usage")
def _(sample: SampleRun) -> None:
    assert json.loads(sample.stdout) == {"tier": "free", "used": 0, "limit": 10000}


@check("api-prices")
def _(sample: SampleRun) -> None:
    price, answer, cost = sample.lines
    assert json.loads(price)["model"] == "acme-large"
    assert json.loads(answer)["accepted"] == 1
    assert cost == "0.350000"
    assert sample.account.costs("model") == {"acme-large": "0.350000"}


@check("api-budgets")
def _(sample: SampleRun) -> None:
    created, blocked, state = sample.lines
    assert json.loads(created) == {
        "name": "Acme daily",
        "scope": {"customer_id": "acme"},
        "state": "ok",
    }
    assert json.loads(blocked) == {"name": "Acme daily", "scope": {"customer_id": "acme"}}
    assert state == "exceeded 1.200000"
    assert [b["name"] for b in sample.account.get("/v1/budgets/blocked")["budgets_blocked"]] == [
        "Acme daily"
    ]


def seed_exceeded_acme_budget(account: DocsAccount) -> None:
    """An enforced daily budget of $1.00 for the customer acme, used up by one $1.00 event."""
    created = account.api.post(
        "/v1/budgets",
        json={
            "name": "Acme daily",
            "scope": {"customer_id": "acme"},
            "period": "day",
            "amount_usd": "1.00",
            "enforce": True,
        },
    )
    assert created.status_code == 201, created.text
    event = {
        "id": str(uuid.uuid4()),
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "customer_id": "acme",
        "provider": "custom",
        "model": "my-model",
        "cost_usd": "1.00",
    }
    answer = account.api.post("/v1/events", json={"events": [event]}).json()
    assert [b["name"] for b in answer["budgets_blocked"]] == ["Acme daily"], answer


SEEDS["sdk-budgets-enforce"] = SEEDS["sdk-budgets-handler"] = seed_exceeded_acme_budget


def _customer_events(account: DocsAccount) -> dict[str, int]:
    rows = account.get("/v1/costs", group_by="customer")["rows"]
    return {row["key"]: row["events"] for row in rows if row["key"]}


@check("sdk-budgets-enforce")
def _(sample: SampleRun) -> None:
    stopped, answered = sample.lines
    assert stopped.startswith("Acme daily: usage limit reached until ") and stopped.endswith(
        " 00:00 UTC."
    )
    assert answered
    assert _customer_events(sample.account) == {"acme": 1, "globex": 1}


@check("sdk-budgets-handler")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["sent"]
    assert _customer_events(sample.account) == {"acme": 2}


@check("api-error-shape")
def _(sample: SampleRun) -> None:
    status, body = sample.stdout.split("\n", 1)
    assert status == "401"
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_api_key" and error["message"]


# -- Self-hosting -----------------------------------------------------------------------------


@check("self-hosting-cli-help")
def _(sample: SampleRun) -> None:
    for command in ("serve", "migrate", "create-user", "retention", "set-tier", "version"):
        assert command in sample.stdout
    assert sample.lines[-1] == VERSION


@check("self-hosting-health")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["ok", "200"]


@check("postgresql-migrate")
def _(sample: SampleRun) -> None:
    assert sample.lines[-1] == head_revision()


@check("migrations-sqlite")
def _(sample: SampleRun) -> None:
    assert sample.lines[-1] == head_revision()


@check("backups-postgresql")
def _(sample: SampleRun) -> None:
    assert int(sample.lines[-1]) >= 10  # one TABLE DATA entry per table


@check("backups-sqlite")
def _(sample: SampleRun) -> None:
    assert sample.lines[-1] == "ok"


@check("upgrading-version")
def _(sample: SampleRun) -> None:
    assert sample.lines == [VERSION, VERSION]


@check("retention-cli")
def _(sample: SampleRun) -> None:
    assert sample.stdout, "the retention command reports what it did"


@check("deployment-secret-key")
def _(sample: SampleRun) -> None:
    (key,) = sample.lines
    assert len(key) == 64  # 48 random bytes, URL-safe base64


@check("admin-staff")
def _(sample: SampleRun) -> None:
    assert sample.account.email in sample.stdout  # added, then listed, then removed


@check("admin-account-recovery")
def _(sample: SampleRun) -> None:
    verified, owner = sample.lines[-2:]
    assert verified == "ops-recovery@example.com is now verified: they can accept invitations."
    assert owner.startswith(f"{sample.account.email} is now an owner of Ops's account (")


# -- OpenTelemetry ----------------------------------------------------------------------------


@check("otel-python")
def _(sample: SampleRun) -> None:
    assert sample.lines == ["Hello there!"]
    run = sample.account.run_named("answer-ticket")
    assert run["customer_id"] == "acme"
    (call,) = [span for span in calls_of(run) if span["model"]]
    assert (call["provider"], call["model"]) == ("openai", "gpt-4o-mini-2024-07-18")
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)
    assert call["cost_source"] == "catalog" and Decimal(call["cost_usd"]) > 0
    assert set(sample.account.costs("section")) == {"support/drafting"}


@check("otel-node")
def _(sample: SampleRun) -> None:
    run = sample.account.run_named("recommend-products")
    (call,) = [span for span in calls_of(run) if span["model"]]
    assert (call["provider"], call["model"]) == ("openai", "gpt-4o-mini")
    assert (call["input_tokens"], call["output_tokens"]) == (1200, 150)
    assert set(sample.account.costs("customer")) == {"globex"}


@check("otel-curl-json")
def _(sample: SampleRun) -> None:
    assert json.loads(sample.stdout) == {}  # no partial_success: the span was taken
    assert set(sample.account.costs("model")) == {"claude-haiku-4-5"}
