"""CPU instructions the server executes per ingested event, counted by valgrind: a measure of the
server's own work (validation, pricing, rows, rollup deltas, encoding, the driver) that does not
move with the machine's load, so two versions can be compared on a busy machine.

    .venv/bin/python bench/ingest_instructions.py                   # this checkout
    .venv/bin/python bench/ingest_instructions.py --against a176f35 # and a revision, with the ratio

What is counted: `POST /v1/events`' work after the HTTP layer (`IngestPipeline.prepare` and the
group writer's `store_group` for a group of one, inline; `api.events._receive_batch` before group
commit: the key lookup, decoding, validation, pricing, the writes and the commit, the driver's side
of them) for `--batches` bodies of 100 events made by `bench/ingest.py`'s EventFactory,
sequentially, in one process under `valgrind --tool=callgrind`. Only the instructions executed
inside `functools.reduce`, which runs the batches, are collected (`--toggle-collect`), so the
start-up, the imports and the warm-up batches are not. PostgreSQL's work and the ASGI stack are not
in it; `bench/ingest.py` measures the whole. Two runs of the same code agree to about 0.1 %.

Each version runs against its own fresh database, migrated by its own server. Needs valgrind
(Debian's package) and a libpython with symbols (`functools_reduce`).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _callgrind import instructions_in_reduce, worktree  # noqa: E402

BATCH = 100
WARMUP_BATCHES = 10


def measure_in_this_process(config_path: str, batches: int) -> None:
    """The child: run the warm-up batches, then `batches` more inside functools.reduce."""
    from ingest import EventFactory

    from llmobserve_server.config import Settings
    from llmobserve_server.db.engine import create_db_engine, create_session_factory

    config = json.loads(Path(config_path).read_text())
    factory = EventFactory()
    bodies = [factory.body(BATCH) for _ in range(WARMUP_BATCHES + batches)]
    settings = Settings(database_url=config["url"], database_owner_url=config["owner_url"])
    sessions = create_session_factory(create_db_engine(settings))

    try:  # group commit: the request's work, then the writer's for a group of one, inline
        from llmobserve_server.api.events import _read
        from llmobserve_server.ingest.group_store import store_group
        from llmobserve_server.ingest.pipeline import IngestPipeline
    except ImportError:  # versions before it
        from llmobserve_server.api.events import _receive_batch  # type: ignore[attr-defined]

        def ingest(_: None, body: bytes) -> None:
            _receive_batch(
                sessions,
                token=config["key"],
                body=body,
                content_encoding=None,
                queued_at=time.perf_counter(),
            )
    else:
        pipeline = IngestPipeline(sessions, max_events=1, max_wait=0)

        def ingest(_: None, body: bytes) -> None:
            batch = pipeline.prepare(config["key"], lambda: _read(body, None))
            with sessions() as db:
                store_group(db, [batch])

    try:  # as `serve` runs the app (versions before it had no such module)
        from llmobserve_server.gc_tuning import tune_for_serving
    except ImportError:
        pass
    else:
        tune_for_serving()
    for body in bodies[:WARMUP_BATCHES]:  # caches, compiled statements, the first connection
        ingest(None, body)
    functools.reduce(ingest, bodies[WARMUP_BATCHES:], None)


def instructions_per_event(server_dir: Path, batches: int) -> float:
    """Prepare a database for the server in `server_dir`, then count its instructions."""
    import _support as support

    from llmobserve_server.testing import postgres_app_role, run_server

    env = {**os.environ, "PYTHONPATH": str(server_dir), "PYTHONHASHSEED": "0"}
    with (
        tempfile.TemporaryDirectory(prefix="llmo-instructions-") as tmp,
        postgres_app_role(support.ADMIN_URL) as role,
        support.fresh_database("instructions") as owner_url,
    ):
        url = role.url_for(owner_url)
        # The version's own server and CLI (the key's set-tier) migrate the database and make
        # the account and its key: both inherit this process's environment.
        with (
            mock.patch.dict(os.environ, {"PYTHONPATH": str(server_dir)}),
            run_server(
                backend="postgresql",
                database_url=url,
                owner_database_url=owner_url,
                data_dir=Path(tmp) / "data",
            ) as server,
        ):
            key = support.sign_up_with_key(server)
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"url": url, "owner_url": owner_url, "key": key}))
        child_args = [str(config), "--batches", str(batches)]
        return instructions_in_reduce(__file__, child_args, env) / (batches * BATCH)


def checkout(revision: str, into: Path) -> Path:
    """A worktree of `revision`; its server package's directory."""
    return worktree(revision, into) / "server"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--batches", type=int, default=30, help="measured batches of 100 events")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision")
    parser.add_argument("--child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measure_in_this_process(args.child, args.batches)
        return 0

    results: dict[str, Any] = {"benchmark": "ingest_instructions", "batches": args.batches}
    results["this_checkout"] = round(instructions_per_event(ROOT / "server", args.batches))
    print(f"this checkout: {results['this_checkout']:,} instructions per event", flush=True)
    if args.against:
        with tempfile.TemporaryDirectory(prefix="llmo-against-") as tmp:
            worktree = Path(tmp) / "tree"
            try:
                server_dir = checkout(args.against, worktree)
                results[args.against] = round(instructions_per_event(server_dir, args.batches))
            finally:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                    check=False,
                )
        ratio = results["this_checkout"] / results[args.against]
        results["ratio"] = round(ratio, 3)
        print(f"{args.against}: {results[args.against]:,} instructions per event")
        print(f"this checkout / {args.against}: {ratio:.3f}")
    print("JSON " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
