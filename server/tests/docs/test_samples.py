"""Every code sample of the docs site runs, against a real server, and the server receives what
the sample claims (markdown_samples.py: the markers; runner.py: how a sample runs; checks.py:
what each one claims)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from llmobserve_server.testing import RunningServer
from tests.docs.checks import CHECKS, SEEDS
from tests.docs.markdown_samples import NOT_RUN, RUNNABLE, Block, blocks, samples
from tests.docs.runner import DOCS_POSTGRES_URL, Preloader, Upstreams, execute, new_account
from tests.support.databases import fresh_postgres_database, require_postgres

MAX_NOT_RUN = 10  # intentionally non-runnable blocks: keep them rare


def test_every_block_has_a_known_language() -> None:
    unknown = [
        f"{b.where} ({b.language or 'none'})"
        for b in blocks()
        if b.language not in RUNNABLE | NOT_RUN
    ]
    assert not unknown, f"fenced blocks need one of {sorted(RUNNABLE | NOT_RUN)}: {unknown}"


def test_every_runnable_block_is_a_sample_or_marked_not_run() -> None:
    unmarked = [b.where for b in blocks() if b.language in RUNNABLE and not (b.sample or b.not_run)]
    assert not unmarked, (
        "put `<!-- sample: NAME -->` (and a check in server/tests/docs/checks.py) or "
        f"`<!-- not-run: REASON -->` on the line before: {unmarked}"
    )


def test_not_run_blocks_are_rare_and_say_why() -> None:
    skipped = [b for b in blocks() if b.not_run is not None]
    assert all(len(b.not_run or "") > 10 for b in skipped)
    assert len(skipped) <= MAX_NOT_RUN, [b.where for b in skipped]


def test_json_blocks_parse() -> None:
    for block in blocks():
        if block.language == "json":
            json.loads(block.code)


def test_every_sample_has_a_unique_name_and_a_check() -> None:
    names = [block.sample for block in samples()]
    assert len(names) == len(set(names)), names
    assert set(names) == set(CHECKS), {
        "samples without a check": sorted(set(names) - set(CHECKS)),
        "checks without a sample": sorted(set(CHECKS) - set(names)),
    }


@contextmanager
def database_for(block: Block) -> Iterator[str | None]:
    if DOCS_POSTGRES_URL not in block.code:
        yield None
        return
    require_postgres()
    with fresh_postgres_database("docs") as url:
        # a database in use: the samples back it up or migrate it again
        migrate = [str(Path(sys.executable).parent / "llmobserve-server"), "migrate"]
        subprocess.run(migrate, env={**os.environ, "DATABASE_URL": url}, check=True, timeout=120)
        yield url


@pytest.mark.parametrize("block", samples(), ids=lambda block: block.sample)
def test_docs_sample_runs_and_the_server_receives_what_it_claims(
    block: Block,
    docs_server: RunningServer,
    fresh_upstreams: Upstreams,
    preloader: Preloader,
    tmp_path: Path,
) -> None:
    if block.language == "bash":
        missing = [
            tool
            for tool in ("curl", "jq", "sqlite3")
            if tool in block.code and not shutil.which(tool)
        ]
        assert not missing, f"{block.where} needs {missing} on PATH"
    account = new_account(docs_server.base_url, block)
    try:
        if block.sample in SEEDS:
            SEEDS[block.sample](account)
        with database_for(block) as postgres_url:
            ran = execute(
                block,
                account=account,
                base_url=docs_server.base_url,
                data_dir=docs_server.data_dir,
                fakes=fresh_upstreams,
                workdir=tmp_path,
                preloader=preloader,
                postgres_url=postgres_url,
            )
            CHECKS[str(block.sample)](ran)
    finally:
        account.close()
