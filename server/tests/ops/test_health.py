"""/healthz says the process is up; /readyz says it can reach its database."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from llmobserve_server.testing import RunningServer, run_server
from tests.support.databases import ADMIN_URL, fresh_postgres_database, require_postgres


def test_healthz_and_readyz_answer_200_when_all_is_well(json_server: RunningServer) -> None:
    health = httpx.get(f"{json_server.base_url}/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    ready = httpx.get(f"{json_server.base_url}/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_readyz_answers_503_while_the_database_is_gone_and_healthz_stays_200(
    tmp_path: Path,
) -> None:
    require_postgres()
    with fresh_postgres_database("readyz") as url:
        with run_server(backend="postgresql", database_url=url, data_dir=tmp_path) as running:
            _drop(url)
            ready = httpx.get(f"{running.base_url}/readyz")
            assert ready.status_code == 503
            assert ready.json()["error"]["code"] == "not_ready"
            assert httpx.get(f"{running.base_url}/healthz").status_code == 200
            assert "not ready: database not reachable" in running.log()


def _drop(url: str) -> None:
    name = url.rpartition("/")[2]
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
