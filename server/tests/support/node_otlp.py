"""The npm packages of the Node.js OpenTelemetry tests (tests/otlp/node/package.json and its
lock), installed with `npm ci` once per machine into a cache directory keyed by the lock file.

When CI is set, a missing node or a failed install fails the test; elsewhere it skips it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

NODE_PROJECT = Path(__file__).parents[1] / "otlp" / "node"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Node.js OpenTelemetry packages are needed: {reason}")
    pytest.skip(reason)


def installed_node_project() -> Path:
    """A directory holding `node_modules` with the locked packages."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node and npm are not on PATH")
    lock = (NODE_PROJECT / "package-lock.json").read_bytes()
    cache_root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    target = cache_root / "llmobserve" / "otlp-node" / hashlib.sha256(lock).hexdigest()[:16]
    if (target / "node_modules" / ".package-lock.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent))
    for name in ("package.json", "package-lock.json"):
        shutil.copy(NODE_PROJECT / name, staging / name)
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        unavailable(f"npm ci failed: {result.stderr[-2000:]}")
    try:
        staging.rename(target)  # atomic: a concurrent run sees all of it or nothing
    except OSError:  # another run installed it first
        shutil.rmtree(staging, ignore_errors=True)
    return target
