"""Ingestion throughput: POST /v1/events against the real server on a fresh PostgreSQL database,
with a raw COPY of the same rows, in the same run, as the physical baseline.

    .venv/bin/python bench/ingest.py                     # 30 s window, the defaults below
    .venv/bin/python bench/ingest.py --seconds 10        # a quick iteration
    .venv/bin/python bench/ingest.py --concurrency 4,8,16  # one window per level, best is quoted
    .venv/bin/python bench/ingest.py --profile prof.txt  # py-spy on the server during the window
    .venv/bin/python bench/ingest.py --otlp              # OTLP beside JSON (bench/ingest_otlp.py)

The load generator is a separate process (asyncio, keep-alive connections, bodies JSON-encoded
before the window). Every response must be 200 with all events accepted; afterwards
count(*) of trace_events must equal the events accepted. Exit status 1 when either fails.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from llmobserve_server.testing import RunningServer, postgres_app_role, run_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _support as support  # noqa: E402

TARGET_EVENTS_PER_S = 20_000
# (provider, model, operation, weight); the last model is in no price catalogue on purpose.
MODELS = [
    ("openai", "gpt-4o-mini", "chat", 40),
    ("openai", "gpt-4o", "chat", 15),
    ("anthropic", "claude-3-5-sonnet-latest", "chat", 20),
    ("openai", "text-embedding-3-small", "embedding", 20),
    ("acme", "acme-large-2", "chat", 5),
]
SECTIONS = [
    "support/triage",
    "support/retrieval",
    "support/answer",
    "search/query",
    "search/rerank",
    "onboarding/welcome",
    "billing/explain",
    "docs/summarize",
    "agents/planner",
    "agents/tools/web",
]
CUSTOMERS = [f"cust_{n:04d}" for n in range(1, 51)]
AGENTS = ["triage", "researcher", "writer", None]
RUN_NAMES = ["answer_ticket", "search", "summarize_doc", "plan_trip", "explain_invoice"]
SPAN_NAMES = ["llm.chat", "retrieve", "rerank", "embed", "tool.call", "llm.reflect"]


def _dashed(value: int) -> str:
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class EventFactory:
    """Realistic wire-format events: runs of ~10 spans (a root and a tree below it), each with
    a fresh id (random uuid4, as the SDK sends, or time-ordered uuid7), a timestamp of now, one
    of five models, ~50 customers and ~10 sections."""

    def __init__(self, ids: str = "uuid4") -> None:
        self.rnd = random.Random()  # seeded from os.urandom: ids differ from run to run
        self.pending: deque[dict[str, Any]] = deque()
        self._new_id = self._uuid7 if ids == "uuid7" else self._uuid4

    def _uuid4(self) -> str:
        value = self.rnd.getrandbits(128)
        value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        return _dashed(value)

    def _uuid7(self) -> str:
        """RFC 9562 version 7: milliseconds since the epoch, then random bits."""
        rand_a, rand_b = self.rnd.getrandbits(12), self.rnd.getrandbits(62)
        value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
        return _dashed(value)

    def _run(self) -> list[dict[str, Any]]:
        rnd = self.rnd
        run_id = self._new_id()
        customer = rnd.choice(CUSTOMERS)
        section = rnd.choice(SECTIONS)
        agent = rnd.choice(AGENTS)
        start = datetime.now(timezone.utc) - timedelta(milliseconds=rnd.randint(0, 5000))
        spans: list[str] = []
        events = []
        for position in range(rnd.randint(8, 12)):
            span_id = f"{rnd.getrandbits(64):016x}"
            provider, model, operation, _ = rnd.choices(MODELS, weights=[m[3] for m in MODELS])[0]
            input_tokens = (
                rnd.randint(20, 400) if operation == "embedding" else rnd.randint(200, 6000)
            )
            output_tokens = 0 if operation == "embedding" else rnd.randint(10, 900)
            cached = rnd.choice((0, 0, input_tokens // 2)) if operation == "chat" else 0
            cache_write = rnd.choice((0, 0, 0, 128)) if provider == "anthropic" else 0
            event: dict[str, Any] = {
                "id": self._new_id(),
                "timestamp": (start + timedelta(milliseconds=40 * position))
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "duration_ms": round(rnd.uniform(30, 4000), 1),
                "run_id": run_id,
                "span_id": span_id,
                "parent_span_id": rnd.choice(spans[:3]) if spans else None,
                "name": rnd.choice(RUN_NAMES) if not spans else rnd.choice(SPAN_NAMES),
                "provider": provider,
                "model": model,
                "operation": operation,
                "input_tokens": input_tokens + cache_write,
                "cached_input_tokens": cached,
                "cache_write_input_tokens": cache_write,
                "output_tokens": output_tokens,
                "customer_id": customer,
                "section": section if rnd.random() < 0.8 else rnd.choice(SECTIONS),
                "status": "ok",
            }
            if agent is not None:
                event["agent"] = agent
            if rnd.random() < 0.02:
                event["status"] = "error"
                event["error"] = "RateLimitError: 429 Too Many Requests (retry after 2s)"
            if rnd.random() < 0.3:
                event["metadata"] = {"env": "prod", "region": "eu-west-1", "attempt": 1}
            spans.append(span_id)
            events.append(event)
        return events

    def body(self, batch: int) -> bytes:
        """A request body of `batch` events; a run may straddle two bodies, as with the SDK."""
        while len(self.pending) < batch:
            self.pending.extend(self._run())
        return support.dumps({"events": [self.pending.popleft() for _ in range(batch)]})


# --- the load-generator process ----------------------------------------------------------------


def _check(batch: int) -> Callable[[int, bytes], tuple[int, str | None]]:
    def check(status: int, payload: bytes) -> tuple[int, str | None]:
        if status != 200:
            return 0, f"HTTP {status}: {payload[:300]!r}"
        result = json.loads(payload)
        accepted = int(result.get("accepted", 0))
        if accepted != batch or result.get("duplicates") or result.get("rejected"):
            return accepted, f"200 but not all accepted: {payload[:300]!r}"
        return accepted, None

    return check


def load_process(channel: Connection, options: dict[str, Any]) -> None:
    """Prebuild every body, say "ready", wait for "go", then run one window per level."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us; Ctrl-C is its to handle
    factory = EventFactory(options["ids"])
    batch, levels = options["batch"], options["levels"]
    per_level = math.ceil((options["warmup"] + options["seconds"]) * options["max_rate"] / batch)
    began = time.perf_counter()
    bodies = [factory.body(batch) for _ in range(per_level * len(levels))]
    channel.send(
        (
            "ready",
            {
                "bodies": len(bodies),
                "events": len(bodies) * batch,
                "seconds": round(time.perf_counter() - began, 1),
                "mb": round(sum(map(len, bodies)) / 1e6),
            },
        )
    )
    _, target = channel.recv()
    head = support.post_head(
        "/v1/events",
        "127.0.0.1",
        target["port"],
        {"Authorization": f"Bearer {target['key']}", "Content-Type": "application/json"},
    )
    for index, concurrency in enumerate(levels):
        result = support.drive_load(
            host="127.0.0.1",
            port=target["port"],
            head=head,
            bodies=bodies[index * per_level : (index + 1) * per_level],
            build_body=lambda: factory.body(batch),
            check=_check(batch),
            concurrency=concurrency,
            warmup_s=options["warmup"],
            window_s=options["seconds"],
            timeout_s=60.0,
            on_window_start=lambda: channel.send(("window_start", None)),
            on_window_end=lambda: channel.send(("window_end", None)),
        )
        channel.send(("result", asdict(result)))
    channel.send(("done", None))


# --- the physical baseline: COPY of the same rows ----------------------------------------------


def _export_rows(connection: psycopg.Connection[Any], rows: int) -> list[bytes]:
    """`rows` trace_events rows as COPY text lines; repeated with fresh ids when fewer are
    stored, so that a primary key on (account_id, id) still holds."""
    description = connection.execute("SELECT * FROM trace_events LIMIT 0").description or []
    columns = [column.name for column in description]
    stored = connection.execute("SELECT count(*) FROM trace_events").fetchone()[0]  # type: ignore[index]
    repeats = max(1, math.ceil(rows / max(stored, 1)))
    select_list = sql.SQL(", ").join(
        sql.SQL("CASE WHEN g.n = 0 THEN id ELSE gen_random_uuid() END")
        if name == "id"
        else sql.Identifier(name)
        for name in columns
    )
    query = sql.SQL(
        "COPY (SELECT {} FROM trace_events CROSS JOIN generate_series(0, {}) AS g(n) "
        "ORDER BY g.n LIMIT {}) TO STDOUT"
    ).format(select_list, sql.Literal(repeats - 1), sql.Literal(rows))
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        return [bytes(line) for line in copy]


def _copy_in(connection: psycopg.Connection[Any], table: str, lines: list[bytes]) -> None:
    statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
    with connection.transaction(), connection.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(lines), 2000):
            copy.write(b"".join(lines[start : start + 2000]))


def _create_table(connection: psycopg.Connection[Any], table: str, shape: str) -> None:
    name = sql.Identifier(table)
    connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    like = "INCLUDING DEFAULTS INCLUDING INDEXES" if shape == "indexed" else "INCLUDING DEFAULTS"
    connection.execute(sql.SQL("CREATE TABLE {} (LIKE trace_events " + like + ")").format(name))
    if shape == "pk":
        connection.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (account_id, id)").format(name))
    connection.execute("CHECKPOINT")


def copy_baselines(url: str, rows: int, concurrency: int) -> tuple[int, list[dict[str, Any]]]:
    """Time COPY of the same rows into copies of trace_events: (rows, one dict per variant)."""
    variants = [
        # (key, label, table shape, writer connections; 0 = one bulk COPY on the main one)
        ("bulk_noindex", "bulk COPY, one transaction, no index", "none", 0),
        ("bulk_pk", "bulk COPY, one transaction, same primary key", "pk", 0),
        ("bulk_indexed", "bulk COPY, one transaction, same PK + indexes", "indexed", 0),
        (
            "batched100_indexed_1conn",
            "COPY per 100-row transaction, same PK + indexes",
            "indexed",
            1,
        ),
        (
            "batched100_indexed_parallel",
            f"same, {concurrency} connections in parallel",
            "indexed",
            concurrency,
        ),
    ]
    results = []
    with psycopg.connect(url, autocommit=True) as connection:
        lines = _export_rows(connection, rows)
        for key, label, shape, connections in variants:
            table = f"copy_{key}"
            _create_table(connection, table, shape)
            writers = [psycopg.connect(url, autocommit=True) for _ in range(connections)]
            try:
                pids = support.postgres_pids(url)  # the writers' backends included
                before = support.cpu_snapshot()
                began = time.perf_counter()
                if not writers:
                    _copy_in(connection, table, lines)
                else:
                    batches = [lines[i : i + 100] for i in range(0, len(lines), 100)]
                    _copy_batches_parallel(writers, table, batches)
                seconds = time.perf_counter() - began
                usage = support.cpu_usage(
                    before, support.cpu_snapshot(), {"client": os.getpid()}, {"postgres": pids}
                )
            finally:
                for writer in writers:
                    writer.close()
            copied = connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]  # type: ignore[index]
            if copied != len(lines):
                raise RuntimeError(f"{table} holds {copied} rows, expected {len(lines)}")
            connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))
            results.append(
                {
                    "variant": key,
                    "label": label,
                    "seconds": round(seconds, 2),
                    "events_per_s": round(len(lines) / seconds),
                    "postgres_us_per_event": round(
                        usage["postgres_cores"] * seconds / len(lines) * 1e6, 1
                    ),
                    "cpu": usage,
                }
            )
    return len(lines), results


def _copy_batches_parallel(
    writers: list[psycopg.Connection[Any]], table: str, batches: list[list[bytes]]
) -> None:
    """Each writer connection COPYs its share of the batches, one transaction per batch."""
    errors: list[BaseException] = []

    def copy_share(writer: psycopg.Connection[Any], share: list[list[bytes]]) -> None:
        try:
            for batch in share:
                _copy_in(writer, table, batch)
        except BaseException as exc:  # reported by the caller's thread
            errors.append(exc)

    n = len(writers)
    threads = [
        threading.Thread(target=copy_share, args=(writer, batches[i::n]))
        for i, writer in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- profiling ---------------------------------------------------------------------------------


def start_profiler(
    pid: int, seconds: float, output: Path, subprocesses: bool
) -> subprocess.Popen[bytes]:
    binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(binary).exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    command = [binary, "record", "--pid", str(pid), "--duration", str(math.ceil(seconds))]
    command += ["--rate", "100", "--format", "raw", "--output", str(output), "--gil"]
    if subprocesses:
        command.append("--subprocesses")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile_summary(path: Path, top: int = 25) -> list[str]:
    """Top functions by samples on the stack (inclusive) and as the innermost frame (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()  # each sample charged to the innermost llmobserve_server frame
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        while stack.startswith("process ") and '";' in stack:  # --subprocesses: pid and argv
            stack = stack[stack.index('";') + 2 :]
        frames = [_short_frame(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
        own_frames = [frame for frame in frames if "llmobserve_server/" in frame]
        ours[own_frames[-1] if own_frames else "(no llmobserve_server frame)"] += count
    if total == 0:
        return ["(no samples)"]
    lines = [f"{total} samples of the GIL holder; self % = innermost frame, total % = on the stack"]
    lines.append(f"{'self %':>7}  function")
    lines += [f"{100 * n / total:7.1f}  {name}" for name, n in own.most_common(top)]
    lines.append(f"{'total %':>7}  function")
    lines += [f"{100 * n / total:7.1f}  {name}" for name, n in inclusive.most_common(top)]
    lines.append(f"{'ours %':>7}  innermost llmobserve_server function (with what it calls)")
    lines += [f"{100 * n / total:7.1f}  {name}" for name, n in ours.most_common(top)]
    return lines


def _short_frame(frame: str) -> str:
    # py-spy raw frames look like "function (/path/to/module.py:123)"; keep module and function.
    function, _, location = frame.partition(" (")
    location = location.rstrip(")")
    path, _, _ = location.rpartition(":")
    for marker in ("site-packages/", "lib/python3.11/", "/server/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{function} ({path})" if path else function


# --- the run -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window per level")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured load before it")
    parser.add_argument(
        "--concurrency",
        default="8",
        help="in-flight requests (keep-alive connections); a comma list runs one window each",
    )
    parser.add_argument("--batch", type=int, default=100, help="events per request")
    parser.add_argument(
        "--workers", type=int, default=None, help="server workers (serve --workers)"
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        default=25_000,
        help="events/s the prebuilt bodies last for; past it bodies are built during the run",
    )
    parser.add_argument("--copy-min-rows", type=int, default=200_000)
    parser.add_argument("--profile", type=Path, help="py-spy the server in the first window")
    parser.add_argument("--no-copy", action="store_true", help="skip the COPY baseline")
    parser.add_argument(
        "--ids",
        choices=["uuid7", "uuid4"],
        default="uuid4",
        help="event and run ids: random, as the SDK sends them, or time-ordered",
    )
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in str(args.concurrency).split(",") if x.strip()]
    return args


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> dict[str, Any]:
    signal.signal(signal.SIGTERM, _on_sigterm)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    options = {
        k: getattr(args, k) for k in ("batch", "levels", "warmup", "seconds", "max_rate", "ids")
    }
    summary: dict[str, Any] = {"benchmark": "ingest", **support.machine_info()}
    loadgen = context.Process(target=load_process, args=(theirs, options), daemon=True)
    loadgen.start()  # it prebuilds the bodies while the server starts
    theirs.close()
    try:
        with tempfile.TemporaryDirectory(prefix="llmo-bench-") as tmp:
            # As production runs: a role held by Row Level Security, the owner migrating.
            with (
                postgres_app_role(support.ADMIN_URL) as role,
                support.fresh_database("ingest") as url,
            ):
                summary["postgres"] = support.postgres_settings(url)
                with run_server(
                    backend="postgresql",
                    database_url=role.url_for(url),
                    owner_database_url=url,
                    data_dir=Path(tmp) / "data",
                    serve_args=_serve_args(args.workers),
                    startup_timeout=300.0,  # a loaded machine has taken over a minute
                ) as server:
                    key = support.sign_up_with_key(server)
                    summary["prebuilt"] = _expect(ours, server, "ready")
                    print(f"prebuilt {summary['prebuilt']}; driving load...", flush=True)
                    with psycopg.connect(url, autocommit=True) as connection:
                        connection.execute("CHECKPOINT")
                    summary["background"] = _background_load()
                    ours.send(("go", {"port": server.port, "key": key}))
                    summary["levels"] = _collect(ours, args, server, loadgen.pid or 0, url)
                    summary["server_log_tail"] = server.log_tail(10)
                with psycopg.connect(url) as connection:
                    row = connection.execute(
                        "SELECT (SELECT count(*) FROM trace_events), "
                        "(SELECT count(*) FROM usage_hourly), (SELECT count(*) FROM runs)"
                    ).fetchone()
                assert row is not None
                summary["stored"], summary["usage_rows"], summary["runs_rows"] = map(int, row)
                summary["accepted"] = sum(level["total_items"] for level in summary["levels"])
                if not args.no_copy:
                    best = max(summary["levels"], key=lambda level: level["events_per_s"])
                    rows = max(summary["stored"], args.copy_min_rows)
                    print(f"COPY baseline with {rows} rows...", flush=True)
                    summary["copy_rows"], summary["copy"] = copy_baselines(
                        url, rows, best["concurrency"]
                    )
    finally:
        if loadgen.is_alive():
            loadgen.terminate()
        loadgen.join(10)
    return summary


def _background_load() -> dict[str, float]:
    """CPU used over one second before the load starts: anything here is someone else's."""
    before = support.cpu_snapshot()
    time.sleep(1.0)
    return support.cpu_usage(before, support.cpu_snapshot(), {}, {})


def _receive(channel: Connection, server: RunningServer) -> tuple[str, Any]:
    """The load generator's next message; fails fast if the server exits meanwhile."""
    while not channel.poll(0.5):
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the server exited ({server.process.returncode}) during the run:\n"
                f"{server.log_tail()}"
            )
    message: tuple[str, Any] = channel.recv()
    return message


def _expect(channel: Connection, server: RunningServer, kind: str) -> Any:
    message, payload = _receive(channel, server)
    if message != kind:
        raise RuntimeError(f"load generator said {message!r}, expected {kind!r}")
    return payload


def _collect(
    channel: Connection,
    args: argparse.Namespace,
    server: RunningServer,
    loadgen_pid: int,
    url: str,
) -> list[dict[str, Any]]:
    trees = {"server": server.process.pid, "loadgen": loadgen_pid}
    levels: list[dict[str, Any]] = []
    profiler = None
    while True:
        message, payload = _receive(channel, server)
        if message == "window_start":
            before, postgres = support.cpu_snapshot(), support.postgres_pids(url)
            backends = support.BackendSampler(url)
            if args.profile and profiler is None and not levels:
                profiler = start_profiler(
                    server.process.pid, args.seconds, args.profile, bool(args.workers)
                )
        elif message == "window_end":
            after = support.cpu_snapshot()
            postgres |= support.postgres_pids(url)
            usage = support.cpu_usage(before, after, trees, {"postgres": postgres})
            backend_states = backends.stop()
        elif message == "result":
            latencies = payload.pop("latencies_ms")
            level = {
                **payload,
                "events_per_s": round(payload["window_items"] / payload["window_s"]),
                "requests_per_s": round(payload["window_requests"] / payload["window_s"], 1),
                "p50_ms": round(support.percentile(latencies, 0.50), 1),
                "p90_ms": round(support.percentile(latencies, 0.90), 1),
                "p99_ms": round(support.percentile(latencies, 0.99), 1),
                "max_ms": round(max(latencies, default=float("nan")), 1),
                "cpu": usage,
                "backends": backend_states,
            }
            events = max(payload["window_items"], 1)
            for name in ("server", "postgres"):
                level[f"{name}_us_per_event"] = round(
                    usage[f"{name}_cores"] * payload["window_s"] / events * 1e6, 1
                )
            levels.append(level)
            print(
                f"  concurrency {level['concurrency']}: {level['events_per_s']} events/s, "
                f"p50 {level['p50_ms']} ms, p99 {level['p99_ms']} ms, errors {level['errors']}",
                flush=True,
            )
        elif message == "done":
            break
    if profiler is not None:
        _, stderr = profiler.communicate(timeout=60)
        if profiler.returncode != 0:
            print(f"py-spy failed: {stderr.decode(errors='replace')}", file=sys.stderr)
    return levels


def report(summary: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    """Print the tables; the one-line JSON summary and whether the run is valid."""
    pg = summary["postgres"]
    print()
    print(
        f"llmobserve ingest benchmark at {summary['commit']}, {summary['date']}: "
        f"{summary['nproc']} x {summary['cpu_model']}, {summary['mem_gb']} GB, "
        f"Python {summary['python']}, "
        f"PostgreSQL {pg['server_version']} (synchronous_commit={pg['synchronous_commit']}, "
        f"shared_buffers={pg['shared_buffers']})"
    )
    workers = args.workers or "default (1)"
    print(
        f"server workers: {workers}; {args.batch} events/request; window {args.seconds:g} s "
        f"after {args.warmup:g} s warm-up; {args.ids} ids; load generator: 1 process, asyncio "
        "keep-alive"
    )
    background = summary["background"]
    if background["machine_busy_pct"] > 10:
        print(
            f"WARNING: the machine was {background['machine_busy_pct']}% busy before the load "
            "started (other processes); the numbers below are understated"
        )
    print()
    print("POST /v1/events")
    print(
        f"{'conc':>4} {'requests':>8} {'errors':>6} {'events/s':>9} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7}"
    )
    for level in summary["levels"]:
        print(
            f"{level['concurrency']:>4} {level['window_requests']:>8} {level['errors']:>6} "
            f"{level['events_per_s']:>9} {level['p50_ms']:>7} {level['p90_ms']:>7} "
            f"{level['p99_ms']:>7} {level['max_ms']:>7}"
        )
        for sample in level["error_samples"]:
            print(f"     error: {sample}")
        if level["bodies_built_late"]:
            print(
                f"     note: {level['bodies_built_late']} bodies were built during the run "
                "(prebuilt ran out); raise --max-rate"
            )
    print()
    print("CPU in the window: cores used on average, and CPU microseconds per event stored")
    print(
        f"{'conc':>4} {'server':>6} {'pg':>5} {'loadgen':>7} {'other':>5} {'busy%':>5} "
        f"{'steal%':>6} {'server us/ev':>12} {'pg us/ev':>8}"
    )
    for level in summary["levels"]:
        cpu = level["cpu"]
        print(
            f"{level['concurrency']:>4} {cpu['server_cores']:>6} {cpu['postgres_cores']:>5} "
            f"{cpu['loadgen_cores']:>7} {cpu['other_cores']:>5} {cpu['machine_busy_pct']:>5} "
            f"{cpu['machine_steal_pct']:>6} {level['server_us_per_event']:>12} "
            f"{level['postgres_us_per_event']:>8}"
        )
    print()
    print(
        "PostgreSQL's busy backends, share of samples: on CPU, waiting for another batch's row "
        "locks, waiting for the server inside a transaction, on I/O"
    )
    print(f"{'conc':>4} {'cpu%':>5} {'lock%':>5} {'client%':>7} {'io%':>5}")
    for level in summary["levels"]:
        states = level["backends"]
        print(
            f"{level['concurrency']:>4} {states['cpu']:>5} {states['lock']:>5} "
            f"{states['client_in_transaction']:>7} {states['io_or_lwlock']:>5}"
        )
    best = max(summary["levels"], key=lambda level: level["events_per_s"])
    errors = sum(level["errors"] for level in summary["levels"])
    stored_ok = summary["stored"] == summary["accepted"]
    logged = [line for line in summary["server_log_tail"].splitlines() if " on http" not in line]
    if logged:
        print("the server logged (last lines):", *logged, sep="\n  ")
    server_us, pg_us = best["server_us_per_event"], best["postgres_us_per_event"]
    budget = summary["nproc"] / TARGET_EVENTS_PER_S * 1e6
    print(
        f"at these costs, {TARGET_EVENTS_PER_S} events/s needs "
        f"{TARGET_EVENTS_PER_S * server_us / 1e6:.1f} server cores + "
        f"{TARGET_EVENTS_PER_S * pg_us / 1e6:.1f} PostgreSQL cores; the machine's "
        f"{summary['nproc']} cores allow {budget:.0f} us per event for everything "
        f"(now {server_us + pg_us:.0f})"
    )
    print()
    print(
        f"stored: SELECT count(*) FROM trace_events = {summary['stored']}, accepted "
        f"{summary['accepted']}: {'OK' if stored_ok else 'MISMATCH'} "
        f"(rollups: {summary['usage_rows']} usage_hourly rows, {summary['runs_rows']} runs)"
    )
    out: dict[str, Any] = {
        "benchmark": "ingest",
        "date": summary["date"],
        "commit": summary["commit"],
        "nproc": summary["nproc"],
        "cpu": summary["cpu_model"],
        "postgres": pg["server_version"],
        "workers": args.workers or 1,
        "ids": args.ids,
        "batch": args.batch,
        "seconds": args.seconds,
        "concurrency": best["concurrency"],
        "events_per_s": best["events_per_s"],
        "p50_ms": best["p50_ms"],
        "p99_ms": best["p99_ms"],
        "requests": best["window_requests"],
        "errors": errors,
        "stored_ok": stored_ok,
        "server_cores": best["cpu"]["server_cores"],
        "postgres_cores": best["cpu"]["postgres_cores"],
        "other_cores": best["cpu"]["other_cores"],
        "server_us_per_event": server_us,
        "postgres_us_per_event": pg_us,
        "busy_before_pct": background["machine_busy_pct"],
        "pg_backends_pct": best["backends"],
        "target_events_per_s": TARGET_EVENTS_PER_S,
    }
    if summary.get("copy"):
        print()
        print(
            f"COPY baseline: the same rows ({summary['copy_rows']}) into tables LIKE trace_events"
        )
        print(
            f"{'variant':<50} {'seconds':>7} {'events/s':>9} {'HTTP/COPY':>9} {'pg':>5} "
            f"{'pg us/ev':>8}"
        )
        for variant in summary["copy"]:
            ratio = best["events_per_s"] / variant["events_per_s"]
            print(
                f"{variant['label']:<50} {variant['seconds']:>7} "
                f"{variant['events_per_s']:>9} {ratio:>9.3f} "
                f"{variant['cpu']['postgres_cores']:>5} {variant['postgres_us_per_event']:>8}"
            )
            out[f"copy_{variant['variant']}_events_per_s"] = variant["events_per_s"]
        bulk = next(v for v in summary["copy"] if v["variant"] == "bulk_indexed")
        batched = next(v for v in summary["copy"] if v["variant"] == "batched100_indexed_1conn")
        out["ratio_vs_copy_bulk"] = round(best["events_per_s"] / bulk["events_per_s"], 3)
        out["ratio_vs_copy_batched100"] = round(best["events_per_s"] / batched["events_per_s"], 3)
    met = best["events_per_s"] >= TARGET_EVENTS_PER_S
    print()
    print(
        f"HTTP ingest: {best['events_per_s']} events/s at concurrency {best['concurrency']} "
        f"(target {TARGET_EVENTS_PER_S}: {'met' if met else 'NOT met'})"
    )
    return out, errors == 0 and stored_ok


def _serve_args(workers: int | None) -> list[str]:
    quiet = ["--no-access-log", "--log-level", "warning"]
    return quiet if workers is None else [*quiet, "--workers", str(workers)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--otlp" in argv:  # OTLP protobuf beside JSON in one run: bench/ingest_otlp.py
        from ingest_otlp import main as otlp_main

        return otlp_main([arg for arg in argv if arg != "--otlp"])
    args = parse_args(argv)
    try:
        summary = run(args)
    except KeyboardInterrupt:
        print("interrupted: server stopped, database dropped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out, valid = report(summary, args)
    if args.profile and args.profile.exists():
        print()
        print(f"py-spy profile of the server (first window), raw stacks in {args.profile}:")
        print("\n".join(profile_summary(args.profile)))
    print()
    print("JSON " + json.dumps(out, separators=(",", ":")))
    return 0 if valid else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
