"""The app `serve` runs: built with the garbage collector tuned for serving (gc_tuning)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from llmobserve_server.gc_tuning import FIRST_GENERATION_THRESHOLD

# In a process of its own: freezing this test process's objects would keep its garbage forever.
_PROBE = """
import gc, json
from llmobserve_server.serving import create_serving_app
app = create_serving_app()
print(json.dumps({"threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}))
"""


def test_the_serving_app_freezes_what_is_alive_and_collects_young_objects_less_often(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["LLMOBSERVE_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["threshold"] == FIRST_GENERATION_THRESHOLD
    assert state["frozen"] > 10_000  # the modules, the app and its routes
