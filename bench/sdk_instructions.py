"""CPU instructions the SDK adds to each `openai` call on the caller's thread, counted by valgrind:
a measure that does not move with the machine's load (bench/sdk_overhead.py's caller CPU swings
by tens of µs between runs here), so two versions can be compared on a busy machine.

    .venv/bin/python bench/sdk_instructions.py                   # this checkout
    .venv/bin/python bench/sdk_instructions.py --against 781ef94 # and a revision, with the ratio

What is counted: `--calls` calls of `chat.completions.create` (plain, and streamed with its
chunks read to the end), made by the real `openai` client against the SDK tests' fake OpenAI API
(a child process on 127.0.0.1), inside `functools.reduce` in one process under
`valgrind --tool=callgrind --toggle-collect=functools_reduce`: the caller's thread only (callgrind
keeps the collection state per thread, so the SDK's background sender is not in it), after a
warm-up. Each kind is counted twice, in separate processes: WITHOUT the SDK (`init` not called:
the library's own methods) and WITH it (`llmobserve.init` with its production defaults, sending
to a collector that accepts everything); the SDK's cost is the difference per call. The
process's start, its imports and the warm-up calls are not counted.

`--against REV` runs the same measurement with the SDK package of that revision (a temporary git
worktree put first on PYTHONPATH); the fake API and this script are this checkout's. Needs
valgrind and a libpython with symbols (`functools_reduce`), as bench/ingest_instructions.py.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _callgrind import instructions_in_reduce, worktree

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "sdk" / "python" / "tests"
WARMUP_CALLS = 30
MESSAGES = [{"role": "user", "content": "Say hello"}]
KINDS = ("plain", "stream")

# The fake OpenAI API and a collector that accepts every batch, in one child process.
UPSTREAMS = """
import sys
sys.path.insert(0, sys.argv[1])
from fakes.openai_upstream import FakeOpenAI
from fakes.scripted_collector import ScriptedCollector, json_answer
upstream = FakeOpenAI()
collector = ScriptedCollector(
    lambda count: json_answer({"accepted": count, "duplicates": 0, "rejected": []})
)
print(upstream.base_url, collector.url, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
upstream.close()
"""


def measure_in_this_process(config: dict[str, Any]) -> None:
    """The child, under valgrind: warm up, then `calls` calls inside functools.reduce."""
    import openai

    if config["sdk"]:
        import llmobserve

        llmobserve.init(api_key="llmo_sk_" + "b" * 40, collector_url=config["collector_url"])
        assert llmobserve.is_enabled()
    client = openai.OpenAI(api_key="sk-bench", base_url=config["base_url"], max_retries=0)
    completions = client.chat.completions

    def plain(_: None, __: int) -> None:
        completions.create(model="gpt-4o-mini", messages=MESSAGES)

    options = {"stream_options": {"include_usage": True}} if config.get("ask") else {}

    def stream(_: None, __: int) -> None:
        chunks = completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, **options)
        for _chunk in chunks:
            pass

    call = plain if config["kind"] == "plain" else stream
    for number in range(WARMUP_CALLS):  # caches, the connection, the SDK's first event
        call(None, number)
    functools.reduce(call, range(config["calls"]), None)
    client.close()


def count(sdk_path: Path, config: dict[str, Any]) -> int:
    """Instructions of `config["calls"]` calls in a child under callgrind."""
    env = {**os.environ, "PYTHONPATH": str(sdk_path), "PYTHONHASHSEED": "0"}
    return instructions_in_reduce(__file__, [json.dumps(config)], env)


def added_per_call(sdk_path: Path, urls: dict[str, str], calls: int) -> dict[str, Any]:
    """{kind: {"without", "with", "added"}}: instructions per call, and the SDK's difference.
    Streams also "asked": without the SDK, asking for usage as the SDK does, so that
    "sdk_code" (with - asked) is the SDK's own code, apart from what the openai library spends
    parsing the usage it is asked for (as bench/sdk_overhead.py separates them)."""
    results: dict[str, Any] = {}
    for kind in KINDS:
        per_call = {}
        modes = [("without", False, False), ("with", True, False)]
        if kind == "stream":
            modes.append(("asked", False, True))
        for mode, sdk, ask in modes:
            config = {**urls, "kind": kind, "sdk": sdk, "ask": ask, "calls": calls}
            per_call[mode] = round(count(sdk_path, config) / calls)
        per_call["added"] = per_call["with"] - per_call["without"]
        if "asked" in per_call:
            per_call["sdk_code"] = per_call["with"] - per_call["asked"]
        results[kind] = per_call
        print(
            f"  {kind}: {per_call['without']:,} without the SDK, {per_call['with']:,} with it: "
            f"{per_call['added']:+,} instructions per call"
            + (
                f" ({per_call['sdk_code']:+,} the SDK's own code)" if "sdk_code" in per_call else ""
            ),
            flush=True,
        )
    return results


def checkout(revision: str, into: Path) -> Path:
    """A worktree of `revision`; the directory its `llmobserve` package is imported from."""
    return worktree(revision, into) / "sdk" / "python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200, help="measured calls per kind and mode")
    parser.add_argument("--against", metavar="REV", help="also measure this git revision's SDK")
    parser.add_argument("--child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measure_in_this_process(json.loads(args.child))
        return 0

    upstreams = subprocess.Popen(
        [sys.executable, "-c", UPSTREAMS, str(TESTS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert upstreams.stdin is not None and upstreams.stdout is not None
    base_url, collector_url = upstreams.stdout.readline().split()
    urls = {"base_url": base_url, "collector_url": collector_url}
    results: dict[str, Any] = {"benchmark": "sdk_instructions", "calls": args.calls}
    try:
        print("this checkout:", flush=True)
        results["this_checkout"] = added_per_call(ROOT / "sdk" / "python", urls, args.calls)
        if args.against:
            with tempfile.TemporaryDirectory(prefix="llmo-against-") as tmp:
                worktree = Path(tmp) / "tree"
                try:
                    sdk_path = checkout(args.against, worktree)
                    print(f"{args.against}:", flush=True)
                    results[args.against] = added_per_call(sdk_path, urls, args.calls)
                finally:
                    subprocess.run(
                        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                        check=False,
                    )
            for kind in KINDS:
                ours, theirs = results["this_checkout"][kind], results[args.against][kind]
                print(
                    f"{kind}: SDK adds {ours['added']:+,} instructions per call here, "
                    f"{theirs['added']:+,} at {args.against}"
                )
    finally:
        upstreams.stdin.close()
        upstreams.wait(timeout=10)
    print("JSON " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
