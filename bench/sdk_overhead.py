"""What the SDK adds to each OpenAI call: latency and caller-thread CPU, with and without it, in
one run, alternating call by call.

    .venv/bin/python bench/sdk_overhead.py               # 2,000 calls of each kind and mode
    .venv/bin/python bench/sdk_overhead.py --calls 300   # a quick iteration
    .venv/bin/python bench/sdk_overhead.py --stream-pieces 300   # streams of a realistic length

The fake OpenAI API of the SDK's tests (sdk/python/tests/fakes) runs in a child process on
127.0.0.1, the real llmobserve server (SQLite) in another; the client is the real `openai`
library with keep-alive. Each round makes one `chat.completions.create` and one streamed one
(read to the end) WITHOUT the SDK (the method the SDK wrapped, called directly: nothing is
patched or unpatched during the run) and the same two WITH it (`llmobserve.init` with its
production defaults), plus a streamed one without the SDK
that asks for usage itself (`stream_options={"include_usage": True}`, which the SDK adds): that
separates what the openai library spends parsing the usage chunk from what the SDK's own code
costs. The five calls run in a shuffled order every round. Per call: latency median and p99
(perf_counter around the call) and CPU of the calling thread (`time.thread_time`); the SDK's cost
is the median of the per-round differences. The SDK's background sender runs throughout, so its
effect on the caller (GIL, CPU) is in the numbers. A streamed answer is 3 content chunks by default
(the fake's own); `--stream-pieces N` makes it N, as a real answer streams about one per token.

Correctness: after a final flush, the collector must hold exactly one event per call made with
the SDK (GET /v1/costs), and `llmobserve.stats()` must show none dropped or failed; otherwise
the exit status is 1. Targets: latency ratio <= 1.03 and <= 30 µs of caller CPU added per call.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _support as support  # noqa: E402

import llmobserve  # noqa: E402
from llmobserve_server.testing import RunningServer, run_server  # noqa: E402

MESSAGES = [{"role": "user", "content": "Say hello"}]
LATENCY_RATIO_TARGET = 1.03
CPU_ADDED_TARGET_US = 30.0
FAKE_SERVER = """
import sys
sys.path.insert(0, sys.argv[1])
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
upstream = FakeOpenAI()
pieces = int(sys.argv[2])
upstream.scenario = OpenAIScenario(pieces=("tok",) * pieces, output_tokens=pieces)
print(upstream.base_url, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
upstream.close()
"""


def start_fake_openai(stream_pieces: int) -> tuple[subprocess.Popen[str], str]:
    tests = str(ROOT / "sdk" / "python" / "tests")
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER, tests, str(stream_pieces)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def measured(call: Callable[[], Any]) -> tuple[float, float]:
    """(seconds, caller-thread CPU seconds) of one call."""
    cpu, started = time.thread_time(), time.perf_counter()
    call()
    return time.perf_counter() - started, time.thread_time() - cpu


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    latencies = [s[0] * 1e3 for s in samples]
    cpus = [s[1] * 1e6 for s in samples]
    return {
        "latency_p50_ms": round(statistics.median(latencies), 4),
        "latency_p99_ms": round(support.percentile(latencies, 0.99), 4),
        "cpu_p50_us": round(statistics.median(cpus), 1),
        "cpu_mean_us": round(statistics.fmean(cpus), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per kind and mode")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured rounds first")
    parser.add_argument(
        "--stream-pieces", type=int, default=3, help="content chunks of a streamed answer"
    )
    args = parser.parse_args()

    fake, base_url = start_fake_openai(args.stream_pieces)
    data_dir = Path(tempfile.mkdtemp(prefix="llmo-sdk-bench-"))
    try:
        with run_server(backend="sqlite", database_url=None, data_dir=data_dir) as server:
            return run(args, base_url, server)
    finally:
        assert fake.stdin is not None
        fake.stdin.close()
        fake.wait(timeout=10)


CELLS = [  # (kind, mode); "asked" = without the SDK, the user asking for usage themselves
    ("plain", "without"),
    ("plain", "with"),
    ("stream", "without"),
    ("stream", "asked"),
    ("stream", "with"),
]


def run(args: argparse.Namespace, base_url: str, server: RunningServer) -> int:
    collector_url = server.base_url
    key = support.sign_up_with_key(server)
    llmobserve.init(api_key=key, collector_url=collector_url)
    client = openai.OpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)

    completions = client.chat.completions
    # Without the SDK: the very method the SDK wrapped, called directly. Nothing is patched or
    # unpatched during the run (changing a class's attributes would cool the interpreter's
    # caches and bill that to whichever call came next).
    unwrapped = type(completions).create.__wrapped__

    def plain(sdk: bool) -> Any:
        if sdk:
            return completions.create(model="gpt-4o-mini", messages=MESSAGES)
        return unwrapped(completions, model="gpt-4o-mini", messages=MESSAGES)

    def stream(sdk: bool, **options: Any) -> Any:
        create = completions.create if sdk else functools.partial(unwrapped, completions)
        return list(create(model="gpt-4o-mini", messages=MESSAGES, stream=True, **options))

    calls: dict[tuple[str, str], Callable[[], Any]] = {
        ("plain", "without"): lambda: plain(False),
        ("plain", "with"): lambda: plain(True),
        ("stream", "without"): lambda: stream(False),
        ("stream", "asked"): lambda: stream(False, stream_options={"include_usage": True}),
        ("stream", "with"): lambda: stream(True),
    }
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {cell: [] for cell in CELLS}
    order = list(CELLS)
    shuffler = random.Random(7)
    with_sdk_calls = 0
    for round_number in range(args.warmup + args.calls):
        shuffler.shuffle(order)  # each cell follows a random other: connection reuse evens out
        for cell in order:
            with_sdk_calls += cell[1] == "with"
            sample = measured(calls[cell])
            if round_number >= args.warmup:
                samples[cell].append(sample)

    delivered = llmobserve.flush(timeout=60)
    stats = llmobserve.stats()
    with httpx.Client(base_url=collector_url, headers={"Authorization": f"Bearer {key}"}) as api:
        stored = api.get("/v1/costs", params={"group_by": "model"}, timeout=30).json()
    llmobserve.shutdown()
    client.close()

    results = {cell: summary(samples[cell]) for cell in CELLS}
    comparisons = {
        "plain: SDK": compare(samples, ("plain", "without"), ("plain", "with")),
        "stream: SDK, all told": compare(samples, ("stream", "without"), ("stream", "with")),
        "stream: asking for usage": compare(samples, ("stream", "without"), ("stream", "asked")),
        "stream: SDK code": compare(samples, ("stream", "asked"), ("stream", "with")),
    }
    complete = (
        delivered
        and stored["total_events"] == with_sdk_calls
        and stats["sent"] == with_sdk_calls
        and stats["dropped"] == stats["failed"] == 0
    )
    print_tables(results, comparisons, args.calls, args.stream_pieces)
    print(
        f"\nevents: {with_sdk_calls} calls with the SDK, {stats['sent']} sent, "
        f"{stored['total_events']} stored, {stats['dropped']} dropped -> "
        + ("complete" if complete else "INCOMPLETE")
    )
    targets = {
        "latency_ratio": max(
            comparisons[name]["latency_ratio_p50"]
            for name in ("plain: SDK", "stream: SDK, all told")
        )
        <= LATENCY_RATIO_TARGET,
        "cpu_added": max(
            comparisons[name]["cpu_added_us"] for name in ("plain: SDK", "stream: SDK code")
        )
        <= CPU_ADDED_TARGET_US,
    }
    print(f"targets: {targets}")
    record = {
        "bench": "sdk_overhead",
        "calls": args.calls,
        "stream_pieces": args.stream_pieces,
        "results": {f"{kind}/{mode}": value for (kind, mode), value in results.items()},
        "comparisons": comparisons,
        "events_complete": complete,
        "targets_met": targets,
        "machine": support.machine_info(),
    }
    print("JSON " + json.dumps(record))
    return 0 if complete else 1


def compare(
    samples: dict[tuple[str, str], list[tuple[float, float]]],
    base: tuple[str, str],
    other: tuple[str, str],
) -> dict[str, float]:
    """`other` against `base`: the ratio of median latencies, and the median of the per-round
    differences of caller CPU (paired, so slow phases of the machine cancel out)."""
    ratio = statistics.median(s[0] for s in samples[other]) / statistics.median(
        s[0] for s in samples[base]
    )
    added = [o[1] - b[1] for o, b in zip(samples[other], samples[base], strict=True)]
    return {
        "latency_ratio_p50": round(ratio, 4),
        "cpu_added_us": round(statistics.median(added) * 1e6, 1),
    }


def print_tables(
    results: dict[tuple[str, str], dict[str, float]],
    comparisons: dict[str, dict[str, float]],
    calls: int,
    stream_pieces: int,
) -> None:
    print(
        f"\n{calls} calls per cell, in a shuffled order every round; "
        f"streams of {stream_pieces} content chunks\n"
    )
    print("| call | latency p50 ms | p99 ms | caller CPU p50 µs | mean µs |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for (kind, mode), s in results.items():
        label = {"without": "without SDK", "with": "with SDK", "asked": "without SDK, usage asked"}
        print(
            f"| {kind}, {label[mode]} | {s['latency_p50_ms']:.3f} | {s['latency_p99_ms']:.3f} "
            f"| {s['cpu_p50_us']:.1f} | {s['cpu_mean_us']:.1f} |"
        )
    print("\n| comparison | latency ratio (p50) | caller CPU added (median of pairs) |")
    print("| --- | ---: | ---: |")
    for name, c in comparisons.items():
        print(f"| {name} | {c['latency_ratio_p50']:.3f} | {c['cpu_added_us']:+.1f} µs |")


if __name__ == "__main__":
    sys.exit(main())
