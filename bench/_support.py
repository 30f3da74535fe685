"""Helpers shared by the benchmarks: the machine, a throwaway PostgreSQL database, the real
server in a child process, an account with an API key, CPU accounting from /proc, and a
low-overhead HTTP/1.1 load driver (asyncio, keep-alive, pre-encoded bodies)."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psycopg

from llmobserve_server.testing import RunningServer, fresh_postgres_database

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the machine -------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu_model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git_revision(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "mem_gb": mem_gb,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def git_revision() -> str:
    """The checkout's short commit, with "+dirty" when tracked files differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")


# --- PostgreSQL --------------------------------------------------------------------------------


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """An empty database on the benchmark's server, dropped afterwards (even on Ctrl-C)."""
    with fresh_postgres_database(ADMIN_URL, f"bench_{label}") as url:
        yield url


def postgres_settings(url: str) -> dict[str, str]:
    names = ("server_version", "shared_buffers", "synchronous_commit", "fsync", "wal_level")
    with psycopg.connect(url) as connection:
        return {name: str(connection.execute(f"SHOW {name}").fetchone()[0]) for name in names}  # type: ignore[index]


# --- the server --------------------------------------------------------------------------------


def sign_up_with_key(
    server: RunningServer,
    *,
    tier: str = "enterprise",
    email: str | None = None,
    password: str = "bench horse battery staple",
) -> str:
    """A new user (POST /v1/auth/sign-up) and an API key (POST /v1/api-keys); the key. The
    account is put on `tier` with `llmobserve-server set-tier` (Enterprise by default: a
    benchmark sends far more than the Free plan's 10,000 events a month)."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        email = email or f"bench-{uuid.uuid4().hex[:12]}@example.com"
        response = client.post(
            "/v1/auth/sign-up", json={"email": email, "password": password, "name": "Bench"}
        )
        if response.status_code != 201:
            raise RuntimeError(f"sign-up answered {response.status_code}: {response.text}")
        csrf = response.json()["csrf_token"]
        response = client.post(
            "/v1/api-keys", json={"name": "bench"}, headers={"X-CSRF-Token": csrf}
        )
        if response.status_code != 201:
            raise RuntimeError(f"creating a key answered {response.status_code}: {response.text}")
        key = str(response.json()["key"])
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    env["LLMOBSERVE_DATA_DIR"] = str(server.data_dir)
    env.update(server.database_env())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "llmobserve_server.cli",
            "set-tier",
            "--email",
            email,
            "--tier",
            tier,
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return key


# --- CPU accounting from /proc -----------------------------------------------------------------


@dataclass
class CpuSnapshot:
    """Every process's CPU seconds (utime + stime, all threads) and the machine's jiffies."""

    at: float
    cpu: dict[int, float]  # pid -> CPU seconds so far
    parent: dict[int, int]  # pid -> parent pid
    machine_busy: int  # jiffies, steal excluded
    machine_total: int
    machine_steal: int  # time the hypervisor gave our virtual CPUs to someone else


def cpu_snapshot() -> CpuSnapshot:
    cpu: dict[int, float] = {}
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields after its ")" are plain.
        fields = raw[raw.rindex(")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    jiffies = [int(x) for x in first[:8]]  # user nice system idle iowait irq softirq steal
    idle, steal = jiffies[3] + jiffies[4], jiffies[7]
    busy = sum(jiffies) - idle - steal
    return CpuSnapshot(time.monotonic(), cpu, parent, busy, sum(jiffies), steal)


def cpu_usage(
    before: CpuSnapshot, after: CpuSnapshot, trees: dict[str, int], pids: dict[str, set[int]]
) -> dict[str, float]:
    """Cores used on average between two snapshots: by each process tree (name -> root pid), by
    each set of pids, by everything else ("other"), and the machine's busy and steal %.
    A process that exited in between is not counted; one that started counts from zero."""
    wall = max(after.at - before.at, 1e-9)
    delta = {pid: seconds - before.cpu.get(pid, 0.0) for pid, seconds in after.cpu.items()}
    children: dict[int, list[int]] = {}
    for pid, ppid in after.parent.items():
        children.setdefault(ppid, []).append(pid)
    groups = dict(pids)
    for name, root in trees.items():
        members, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in delta and pid not in members:
                members.add(pid)
                todo.extend(children.get(pid, []))
        groups[name] = members
    usage: dict[str, float] = {}
    counted: set[int] = set()
    for name, members in groups.items():
        usage[f"{name}_cores"] = round(sum(delta.get(pid, 0.0) for pid in members) / wall, 2)
        counted |= members
    rest = sum(seconds for pid, seconds in delta.items() if pid not in counted)
    usage["other_cores"] = round(rest / wall, 2)
    total = max(after.machine_total - before.machine_total, 1)
    usage["machine_busy_pct"] = round(100 * (after.machine_busy - before.machine_busy) / total, 1)
    usage["machine_steal_pct"] = round(
        100 * (after.machine_steal - before.machine_steal) / total, 1
    )
    return usage


def postgres_pids(url: str) -> set[int]:
    """The backends of `url`'s database and PostgreSQL's own writers (WAL, checkpoints)."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() "
            "AND pid <> pg_backend_pid()) OR backend_type IN "
            "('checkpointer', 'background writer', 'walwriter')"
        ).fetchall()
    return {int(row[0]) for row in rows}


class BackendSampler:
    """What the database's client backends are doing, sampled every `interval` seconds in a
    thread: on CPU (active, no wait event), waiting for a lock, waiting for the client inside a
    transaction (the server's Python between statements, with the transaction's row locks
    held), or waiting on I/O (the WAL flush at commit, mostly). Shares of all samples of busy
    backends; idle connections outside a transaction are not counted. Lock waits here mean
    batches queueing for each other's rows, which no amount of CPU removes."""

    _QUERY = (
        "SELECT CASE WHEN state = 'idle in transaction' THEN 'client_in_transaction' "
        "WHEN wait_event_type = 'Lock' THEN 'lock' "
        "WHEN wait_event_type IN ('IO', 'LWLock') THEN 'io_or_lwlock' "
        "WHEN wait_event_type IS NULL AND state = 'active' THEN 'cpu' "
        "WHEN state = 'active' THEN 'other_wait' END "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend' AND state <> 'idle'"
    )

    def __init__(self, url: str, interval: float = 0.1) -> None:
        self._url, self._interval = url, interval
        self._counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as connection:
            while not self._stop.wait(self._interval):
                for (state,) in connection.execute(self._QUERY).fetchall():
                    if state is not None:
                        self._counts[state] = self._counts.get(state, 0) + 1

    def stop(self) -> dict[str, float]:
        """Each state's share of the samples, in per cent."""
        self._stop.set()
        self._thread.join(5)
        total = sum(self._counts.values()) or 1
        names = ("cpu", "lock", "client_in_transaction", "io_or_lwlock", "other_wait")
        return {name: round(100 * self._counts.get(name, 0) / total, 1) for name in names}


# --- the HTTP load driver ----------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one timed load run saw. Throughput counts requests completed inside the window."""

    concurrency: int
    window_s: float
    window_requests: int = 0
    window_items: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    total_requests: int = 0
    total_items: int = 0  # accepted in every phase (warm-up, window, tail): what must be stored
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bodies_built_late: int = 0  # bodies built during the run because the prebuilt ones ran out

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(message)


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, the server will close) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, close = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(parts), close
    if length is None:
        return status, await reader.read(), True
    return status, await reader.readexactly(length), close


async def _drive(
    *,
    host: str,
    port: int,
    head: bytes,
    bodies: list[bytes],
    build_body: Callable[[], bytes],
    check: Callable[[int, bytes], tuple[int, str | None]],
    concurrency: int,
    warmup_s: float,
    window_s: float,
    timeout_s: float,
    on_window_start: Callable[[], None],
    on_window_end: Callable[[], None],
) -> LoadResult:
    result = LoadResult(concurrency=concurrency, window_s=window_s)
    position = 0
    start = time.perf_counter()
    window_start = start + warmup_s
    window_end = window_start + window_s

    def next_body() -> bytes:
        nonlocal position
        if position < len(bodies):
            body = bodies[position]
            bodies[position] = b""  # free it: every body is sent once
            position += 1
            return body
        result.bodies_built_late += 1
        return build_body()

    async def worker() -> None:
        reader = writer = None
        while time.perf_counter() < window_end:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                body = next_body()
                sent = time.perf_counter()
                writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body))
                writer.write(body)
                status, payload, close = await asyncio.wait_for(_read_response(reader), timeout_s)
                done = time.perf_counter()
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
                result.total_requests += 1
                result.error(f"{type(exc).__name__}: {exc}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.05)  # a refused connection must not become a busy loop
                continue
            items, problem = check(status, payload)
            result.total_requests += 1
            result.total_items += items
            if problem is not None:
                result.error(problem)
            elif window_start <= done <= window_end:
                result.window_requests += 1
                result.window_items += items
                result.latencies_ms.append((done - sent) * 1000)
            if close:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    async def marks() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        on_window_start()
        await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
        on_window_end()

    await asyncio.gather(marks(), *(worker() for _ in range(concurrency)))
    return result


def drive_load(**kwargs: Any) -> LoadResult:
    """POST `head` + Content-Length + each body over `concurrency` keep-alive connections for
    `warmup_s`, then a measured `window_s`; `check(status, body)` -> (items accepted, problem)."""
    try:
        import uvloop  # uvicorn[standard] brings it; the loop is cheaper than asyncio's own
    except ImportError:
        return asyncio.run(_drive(**kwargs))
    return uvloop.run(_drive(**kwargs))


def post_head(path: str, host: str, port: int, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n").encode()


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
