"""`make release-check`'s core in the suite: both packages build, pass `twine check --strict`,
install from their wheels into a fresh virtualenv and work there (the server from its wheel,
sign-up, an API key, an event sent with the SDK, its cost read back). Offline: the wheels'
dependencies come from this environment instead of PyPI. (The SDK's own packaging tests add
Python 3.9 and the README's quickstart: sdk/python/tests/test_packaging.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]


def test_both_packages_build_install_from_their_wheels_and_work_together(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/release_check.py", "--offline", "--dist", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "release check passed" in result.stdout
    version = (ROOT / "VERSION").read_text().strip()
    assert {p.name for p in tmp_path.iterdir()} == {
        f"llmobserve_server-{version}-py3-none-any.whl",
        f"llmobserve_server-{version}.tar.gz",
        f"llmobserve-{version}-py3-none-any.whl",
        f"llmobserve-{version}.tar.gz",
    }
