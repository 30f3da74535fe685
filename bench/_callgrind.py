"""Instruction counts by callgrind, shared by bench/ingest_instructions.py and
bench/sdk_instructions.py: each re-runs itself with `--child` under valgrind, and only the work
inside `functools.reduce` is counted (`--toggle-collect=functools_reduce`), so start-up, imports
and warm-up are left out. Counts repeat for the same binary and inputs, whatever else the
machine is doing. Standard library only: the children import this module too."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions_in_reduce(script: str, child_args: list[str], env: dict[str, str]) -> int:
    """Instructions `python script --child *child_args` executes inside functools.reduce."""
    with tempfile.TemporaryDirectory(prefix="llmo-callgrind-") as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={tmp}/callgrind.out",
            sys.executable,
            script,
            "--child",
            *child_args,
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None or int(found.group(1)) == 0:
        raise SystemExit(f"valgrind run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return int(found.group(1))


def worktree(revision: str, into: Path) -> Path:
    """A detached worktree of `revision` at `into` (the caller removes it)."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into), revision],
        check=True,
    )
    return into
