"""What budgets cost ingestion: nothing for an account that never had a budget; for one with
budgets, the budgets are read once per version, then a batch costs one spend query per budget
its events fall in (and the blocked list's when one is enforced)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from llmobserve_server.budgets.ingest_hook import budgets_after_commit
from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import upgrade
from llmobserve_server.db.models import Account, Budget
from llmobserve_server.ingest.service import IncomingBatch
from tests.support.databases import database_for
from tests.support.stored_data import add_account

NOW = datetime.now(timezone.utc)


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database_for(backend, "budget_cost") as url:
        engine = create_db_engine(Settings(database_url=url, llmobserve_data_dir=tmp_path))
        upgrade(engine)
        yield engine
        engine.dispose()


def batch(**fields: Any) -> IncomingBatch:
    values = dict.fromkeys(("customer_id", "agent", "section", "provider", "model"))
    values.update(fields)
    return IncomingBatch(NOW, [SimpleNamespace(timestamp=NOW, **values)], [])  # type: ignore[list-item]


def statements_of(engine: Engine, account_id: uuid.UUID, incoming: IncomingBatch) -> list[str]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]).split()[0])

    with Session(engine) as db:
        version = db.scalar(select(Account.budgets_version).where(Account.id == account_id))
        assert version is not None
        event.listen(engine, "before_cursor_execute", count)
        try:
            budgets_after_commit(db, account_id=account_id, budgets_version=version, batch=incoming)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return [s for s in seen if s.upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]


def test_an_account_without_budgets_costs_ingestion_no_statement(engine: Engine) -> None:
    account_id = add_account(engine, "free")
    assert statements_of(engine, account_id, batch(customer_id="acme")) == []


def test_a_batch_outside_every_budgets_scope_reads_nothing_once_cached(engine: Engine) -> None:
    account_id = add_account(engine, "free")
    with Session(engine) as db, db.begin():
        db.add(
            Budget(
                id=uuid.uuid4(), account_id=account_id, name="acme", customer_id="acme",
                period="month", amount_usd=1, alert_at=["0.8"], enforce=False,
                notify_emails=[], revision=0, created_at=NOW, updated_at=NOW,
            )
        )  # fmt: skip
    statements_of(engine, account_id, batch(customer_id="globex"))  # loads the cache
    assert statements_of(engine, account_id, batch(customer_id="globex")) == []
    assert len(statements_of(engine, account_id, batch(customer_id="acme"))) == 1  # its spend
