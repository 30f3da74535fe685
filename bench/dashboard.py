"""Dashboard page times with 1,000,000 events in the account, on PostgreSQL: every page's server
time (the `Server-Timing: app;dur=` header) against `GET /healthz` and `/readyz` in the same run.

    .venv/bin/python bench/dashboard.py                       # seed 1,000,000 events, measure
    .venv/bin/python bench/dashboard.py --events 100000       # a quick iteration
    .venv/bin/python bench/dashboard.py --keep-db             # ...and keep the seeded database
    .venv/bin/python bench/dashboard.py --reuse-db URL        # measure a database seeded before

Seeding goes through the real ingest path: `POST /v1/events` in batches of 100 on several
keep-alive connections to a server with two workers, so `usage_hourly` and `runs` hold exactly
what ingestion writes. The events are those of `bench/ingest.py` (runs of ~10 spans, five
models, 50 customers, 10 sections, four agents) with each run moved to a random moment of the
last 30 days. Then a fresh server with the default single worker answers every page as a
signed-in user: a few warm-up requests, then `--requests` timed ones each. Exit status 1 when a
page does not answer 200 or its server-time p95 is over 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import multiprocessing
import os
import random
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psycopg
from psycopg import sql

from llmobserve_server.testing import RunningServer, fresh_postgres_database, run_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402
from ingest import EventFactory  # noqa: E402

ADMIN_URL = os.environ.get(
    "TEST_DATABASE_URL",
    os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
TARGET_MS = 300.0
EMAIL = "dashboard@bench.example.com"
PASSWORD = "bench horse battery staple"
QUIET = ["--no-access-log", "--log-level", "warning"]


# --- the events --------------------------------------------------------------------------------


class SpreadEventFactory(EventFactory):
    """bench/ingest.py's runs, each moved back by a random amount up to `days` (uniform), so
    that the 24-hour, 7-day and 30-day ranges all hold data."""

    def __init__(self, days: float, seed: int) -> None:
        super().__init__()
        self.rnd = random.Random(seed)
        self.days = days

    def spread_run(self) -> list[dict[str, Any]]:
        events = self._run()
        back = timedelta(seconds=self.rnd.uniform(60, self.days * 86400))
        for event in events:
            moment = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")) - back
            event["timestamp"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return events

    def bodies(self, count: int, batch: int) -> list[bytes]:
        pending: deque[dict[str, Any]] = deque()
        out = []
        for _ in range(count):
            while len(pending) < batch:
                pending.extend(self.spread_run())
            out.append(support.dumps({"events": [pending.popleft() for _ in range(batch)]}))
        return out


def _build_bodies(job: tuple[int, int, float, int]) -> list[bytes]:
    count, batch, days, seed = job
    return SpreadEventFactory(days, seed).bodies(count, batch)


def build_bodies(events: int, batch: int, days: float, processes: int) -> list[bytes]:
    """`events` events as request bodies, built by `processes` processes in parallel."""
    count = -(-events // batch)
    shares = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    seeds = [random.SystemRandom().getrandbits(64) for _ in shares]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(
            _build_bodies, [(n, batch, days, s) for n, s in zip(shares, seeds, strict=True)]
        )
    return [body for part in parts for body in part]


# --- seeding over HTTP -------------------------------------------------------------------------


async def _post_all(port: int, key: str, bodies: list[bytes], concurrency: int) -> int:
    """POST every body once over `concurrency` keep-alive connections; the events accepted."""
    head = support.post_head(
        "/v1/events",
        "127.0.0.1",
        port,
        {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    queue = deque(bodies)
    accepted = 0
    done = 0
    began = time.perf_counter()

    async def worker() -> None:
        nonlocal accepted, done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                body = queue.popleft()
                writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
                status, payload, _close = await support._read_response(reader)
                result = json.loads(payload) if status == 200 else {}
                if status != 200 or result.get("rejected") or result.get("duplicates"):
                    raise RuntimeError(f"seeding: HTTP {status}: {payload[:300]!r}")
                accepted += int(result["accepted"])
                done += 1
                if done % 1000 == 0:
                    rate = accepted / (time.perf_counter() - began)
                    print(f"  seeded {accepted:,} events ({rate:,.0f}/s)", flush=True)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted


def seed(url: str, args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    """Sign up, create a key, POST `args.events` events; timings and row counts."""
    began = time.perf_counter()
    bodies = build_bodies(args.events, args.batch, args.days, processes=2)
    built_s = time.perf_counter() - began
    print(f"built {len(bodies):,} bodies in {built_s:.1f} s; seeding over HTTP...", flush=True)
    serve_args = [*QUIET, "--workers", str(args.seed_workers)]
    with run_server(
        backend="postgresql", database_url=url, data_dir=data_dir, serve_args=serve_args
    ) as server:
        key = support.sign_up_with_key(server, email=EMAIL, password=PASSWORD)
        began = time.perf_counter()
        accepted = asyncio.run(_post_all(server.port, key, bodies, args.seed_concurrency))
        seed_s = time.perf_counter() - began
    del bodies
    print(f"seeded {accepted:,} events in {seed_s:.1f} s ({accepted / seed_s:,.0f}/s)")
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        # What autovacuum does on its own after a bulk load; without it the planner would be
        # working from the empty tables' statistics.
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")
    vacuum_s = time.perf_counter() - began
    print(f"VACUUM (ANALYZE) and CHECKPOINT in {vacuum_s:.1f} s", flush=True)
    return {
        "accepted": accepted,
        "build_s": round(built_s, 1),
        "seed_s": round(seed_s, 1),
        "seed_events_per_s": round(accepted / seed_s),
        "vacuum_s": round(vacuum_s, 1),
    }


def sign_in(base_url: str) -> httpx.Client:
    """A client carrying the benchmark user's session cookie."""
    client = httpx.Client(base_url=base_url, timeout=60)
    response = client.post("/v1/auth/sign-in", json={"email": EMAIL, "password": PASSWORD})
    if response.status_code != 200:
        client.close()
        raise RuntimeError(f"sign-in answered {response.status_code}: {response.text}")
    return client


# --- the database ------------------------------------------------------------------------------


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str, bool]]:
    """(URL, needs seeding): the --reuse-db one, a kept one, or a fresh one dropped afterwards."""
    if args.reuse_db:
        yield args.reuse_db, False
        return
    if args.keep_db:
        name = f"llmo_bench_dashboard_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = f"{ADMIN_URL.rpartition('/')[0]}/{name}"
        print(f"--keep-db: {url} (drop it yourself when done)")
        yield url, True
        return
    with fresh_postgres_database(ADMIN_URL, "bench_dashboard") as url:
        yield url, True


def data_shape(url: str) -> dict[str, Any]:
    """Row counts, database size, and the values the pages are asked about."""
    with psycopg.connect(url) as connection:

        def one(query: str) -> Any:
            row = connection.execute(query).fetchone()
            return row[0] if row else None

        shape = {
            "trace_events": one("SELECT count(*) FROM trace_events"),
            "usage_hourly": one("SELECT count(*) FROM usage_hourly"),
            "runs": one("SELECT count(*) FROM runs"),
            "accounts": one("SELECT count(*) FROM accounts"),
            "database_mb": round(one("SELECT pg_database_size(current_database())") / 1e6),
            "oldest": str(one("SELECT min(timestamp) FROM trace_events")),
        }
        top = (
            "SELECT {0} FROM usage_hourly WHERE {0} <> '' GROUP BY {0} ORDER BY sum(cost_usd) DESC"
        )
        shape["agent"] = one(top.format("agent") + " LIMIT 1")
        shape["customer"] = one(top.format("customer_id") + " LIMIT 1")
        shape["section"] = one(top.format("section") + " LIMIT 1")
        # A typical run of last week: ~10 spans, the newest of that day.
        shape["run_id"] = one(
            "SELECT run_id FROM runs WHERE started_at < now() - interval '7 days' "
            "ORDER BY started_at DESC LIMIT 1"
        )
    return shape


# --- measuring ---------------------------------------------------------------------------------


def pages(shape: dict[str, Any], next_runs_page: str) -> list[tuple[str, str]]:
    """(label, path) of every page measured."""
    month = "range=30d"
    out = [(f"/ ({r})", f"/?range={r}") for r in ("24h", "7d", "30d")]
    out += [
        (f"/costs by {g} (30d)", f"/costs?{month}&group_by={g}")
        for g in ("day", "provider", "model", "customer", "section", "agent")
    ]
    out += [
        ("/costs.csv by day (30d)", f"/costs.csv?{month}&group_by=day"),
        ("/costs.csv by customer (30d)", f"/costs.csv?{month}&group_by=customer"),
        ("/agents (30d)", f"/agents?{month}"),
        ("/agents/{name} (30d)", f"/agents/{quote(shape['agent'], safe='')}?{month}"),
        ("/customers (30d)", f"/customers?{month}"),
        ("/customers/{id} (30d)", f"/customers/{quote(shape['customer'], safe='')}?{month}"),
        ("/runs", "/runs"),
        ("/runs?customer=", "/runs?" + urlencode({"customer": shape["customer"]})),
        ("/runs?agent=", "/runs?" + urlencode({"agent": shape["agent"]})),
        ("/runs?section=", "/runs?" + urlencode({"section": shape["section"]})),
        ("/runs?status=error", "/runs?status=error"),
        ("/runs, second page (cursor)", next_runs_page),
        ("/runs/{id}", f"/runs/{quote(shape['run_id'], safe='')}"),
        ("/settings/prices", "/settings/prices"),
        ("/settings/api-keys", "/settings/api-keys"),
    ]
    return out


def next_page_link(client: httpx.Client) -> str:
    """The runs list's "Load more runs" link, as a person would follow it."""
    response = client.get("/runs")
    found = re.search(r'href="(/runs\?[^"]*cursor=[^"]*)"', response.text)
    if response.status_code != 200 or not found:
        raise RuntimeError("/runs has no 'Load more runs' link")
    return html.unescape(found.group(1))


def server_ms(response: httpx.Response) -> float:
    timing = response.headers.get("server-timing", "")
    found = re.search(r"app;dur=([0-9.]+)", timing)
    if not found:
        raise RuntimeError(f"no Server-Timing header on {response.request.url}")
    return float(found.group(1))


def measure(client: httpx.Client, path: str, warmup: int, requests: int) -> dict[str, Any]:
    for _ in range(warmup):
        client.get(path)
    server, observed, statuses, size = [], [], set(), 0
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        observed.append((time.perf_counter() - began) * 1000)
        server.append(server_ms(response))
        statuses.add(response.status_code)
        size = len(response.content)
    return {
        "status": sorted(statuses),
        "bytes": size,
        "p50_ms": round(support.percentile(server, 0.50), 1),
        "p95_ms": round(support.percentile(server, 0.95), 1),
        "max_ms": round(max(server), 1),
        "client_p50_ms": round(support.percentile(observed, 0.50), 1),
        "client_p95_ms": round(support.percentile(observed, 0.95), 1),
    }


def measure_all(server: RunningServer, shape: dict[str, Any], args: argparse.Namespace) -> Any:
    client = sign_in(server.base_url)
    try:
        listed = pages(shape, next_page_link(client))
        baseline = {
            path: measure(client, path, args.warmup, args.requests)
            for path in ("/healthz", "/readyz")
        }
        results = []
        for label, path in listed:
            result = {"page": label, "path": path}
            result.update(measure(client, path, args.warmup, args.requests))
            print(
                f"  {label:<32} p50 {result['p50_ms']:>7} ms  p95 {result['p95_ms']:>7} ms"
                f"  {result['status']}",
                flush=True,
            )
            results.append(result)
        # The baseline again at the end: the run is comparable only if it did not move.
        after = measure(client, "/readyz", args.warmup, args.requests)
    finally:
        client.close()
    return baseline, results, after


# --- the run -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to seed")
    parser.add_argument("--days", type=float, default=30.0, help="spread them over this many")
    parser.add_argument("--batch", type=int, default=100, help="events per seeding request")
    parser.add_argument("--seed-concurrency", type=int, default=8)
    parser.add_argument("--seed-workers", type=int, default=2, help="server workers to seed")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before them")
    parser.add_argument("--reuse-db", metavar="URL", help="measure a database seeded before")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the new database")
    return parser.parse_args(argv)


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> dict[str, Any]:
    signal.signal(signal.SIGTERM, _on_sigterm)
    summary: dict[str, Any] = {"machine": support.machine_info()}
    with tempfile.TemporaryDirectory(prefix="llmo-bench-") as tmp, database(args) as (url, new):
        summary["postgres"] = support.postgres_settings(url)
        summary["seeding"] = seed(url, args, Path(tmp) / "seed") if new else None
        summary["shape"] = shape = data_shape(url)
        print(
            f"the account holds {shape['trace_events']:,} events, {shape['usage_hourly']:,} "
            f"usage_hourly rows, {shape['runs']:,} runs; database {shape['database_mb']} MB",
            flush=True,
        )
        summary["load_before"] = os.getloadavg()[0]
        if summary["load_before"] > 1.5:
            print(f"WARNING: load average {summary['load_before']:.2f} before measuring")
        before = support.cpu_snapshot()
        with run_server(
            backend="postgresql", database_url=url, data_dir=Path(tmp) / "measure", serve_args=QUIET
        ) as server:
            print("measuring (server with 1 worker, one request at a time)...", flush=True)
            summary["baseline"], summary["pages"], summary["readyz_after"] = measure_all(
                server, shape, args
            )
            summary["server_log_tail"] = server.log_tail(10)
        summary["cpu"] = support.cpu_usage(before, support.cpu_snapshot(), {}, {})
    return summary


def report(summary: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    machine, pg, shape = summary["machine"], summary["postgres"], summary["shape"]
    print()
    print(
        f"llmobserve dashboard benchmark at {machine['commit']}, {machine['date']}: "
        f"{machine['nproc']} x {machine['cpu_model']}, {machine['mem_gb']} GB, "
        f"Python {machine['python']}, PostgreSQL {pg['server_version']} "
        f"(shared_buffers={pg['shared_buffers']})"
    )
    print(
        f"data: {shape['trace_events']:,} events since {shape['oldest'][:16]}, "
        f"{shape['usage_hourly']:,} usage_hourly rows, {shape['runs']:,} runs, "
        f"{shape['database_mb']} MB; load average before measuring {summary['load_before']:.2f}"
    )
    if summary["seeding"]:
        s = summary["seeding"]
        print(
            f"seeding: {s['accepted']:,} events over HTTP in {s['seed_s']} s "
            f"({s['seed_events_per_s']:,}/s, {args.seed_workers} workers, "
            f"{args.seed_concurrency} connections); bodies built in {s['build_s']} s; "
            f"VACUUM (ANALYZE) {s['vacuum_s']} s"
        )
    healthz, readyz = summary["baseline"]["/healthz"], summary["baseline"]["/readyz"]
    print(
        f"server time, {args.requests} requests per page after {args.warmup} warm-up; ratio = "
        f"page p50 / baseline p50 (/healthz {healthz['p50_ms']} ms, /readyz {readyz['p50_ms']} ms; "
        f"/readyz at the end {summary['readyz_after']['p50_ms']} ms)"
    )
    print()
    print(
        f"{'page':<32} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'client p50':>10} "
        f"{'x healthz':>9} {'x readyz':>8} {'KB':>6}  <= {TARGET_MS:g} ms?"
    )
    ok = True
    rows = [("GET /healthz (baseline)", healthz), ("GET /readyz (baseline)", readyz)]
    rows += [(page["page"], page) for page in summary["pages"]]
    worst = max(summary["pages"], key=lambda page: page["p95_ms"])
    for label, row in rows:
        good = row["status"] == [200] and row["p95_ms"] <= TARGET_MS
        ok = ok and good
        verdict = "yes" if good else f"NO ({row['status']})" if row["status"] != [200] else "NO"
        print(
            f"{label:<32} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['max_ms']:>7} "
            f"{row['client_p50_ms']:>10} {row['p50_ms'] / max(healthz['p50_ms'], 0.1):>9.0f} "
            f"{row['p50_ms'] / max(readyz['p50_ms'], 0.1):>8.1f} {row['bytes'] / 1024:>6.0f}  "
            f"{verdict}"
        )
    logged = [line for line in summary["server_log_tail"].splitlines() if " on http" not in line]
    if logged:
        print("the server logged (last lines):", *logged, sep="\n  ")
    print()
    print(
        f"slowest page: {worst['page']}, p95 {worst['p95_ms']} ms "
        f"(target {TARGET_MS:g} ms: {'met' if ok else 'NOT met'})"
    )
    out = {
        "benchmark": "dashboard",
        "date": machine["date"],
        "commit": machine["commit"],
        "nproc": machine["nproc"],
        "cpu": machine["cpu_model"],
        "mem_gb": machine["mem_gb"],
        "python": machine["python"],
        "postgres": pg["server_version"],
        "events": shape["trace_events"],
        "usage_hourly_rows": shape["usage_hourly"],
        "runs": shape["runs"],
        "seed_s": summary["seeding"]["seed_s"] if summary["seeding"] else None,
        "requests_per_page": args.requests,
        "load_before": round(summary["load_before"], 2),
        "healthz_p50_ms": healthz["p50_ms"],
        "readyz_p50_ms": readyz["p50_ms"],
        "pages": {
            page["page"]: [page["p50_ms"], page["p95_ms"], page["max_ms"]]
            for page in summary["pages"]
        },
        "worst_p95_ms": worst["p95_ms"],
        "target_ms": TARGET_MS,
        "met": ok,
    }
    return out, ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = run(args)
    except KeyboardInterrupt:
        kept = " kept" if args.reuse_db or args.keep_db else " dropped"
        print(f"interrupted: servers stopped, database{kept}", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out, ok = report(summary, args)
    print()
    print("JSON " + json.dumps(out, separators=(",", ":")))
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
