"""The package as users get it: built, checked, installed into a fresh virtualenv, and the
README's quickstart run there against a real collector."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.accounts import Account

import llmobserve

pytestmark = pytest.mark.slow

SDK = Path(__file__).parents[1]


def run(
    *command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: hatchling comes from the dev dependencies, so no download is needed
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, SDK)
    yield out


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("llmobserve-*.whl")
    return wheel


def test_the_build_passes_twine_check(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert {f.suffix for f in files} == {".whl", ".gz"}
    result = run(sys.executable, "-m", "twine", "check", "--strict", *files)
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_holds_the_typed_package_and_its_version(dist: Path) -> None:
    wheel = wheel_of(dist)
    assert wheel.name == f"llmobserve-{llmobserve.__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert "llmobserve/py.typed" in names and "llmobserve/__init__.py" in names
    assert not [name for name in names if "tests/" in name or name.endswith(".pyc")]
    metadata = zipfile.ZipFile(wheel).read(
        f"llmobserve-{llmobserve.__version__}.dist-info/METADATA"
    )
    lines = metadata.decode().splitlines()
    assert "Requires-Python: >=3.9" in lines
    requires = [line for line in lines if line.startswith("Requires-Dist:")]
    assert all("extra == 'dev'" in line for line in requires), requires  # no runtime deps


def interpreters() -> list[object]:
    """This Python, and the oldest supported one (3.9) when the machine has it."""
    found = [pytest.param(sys.executable, id="current")]
    candidates = glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9"))
    candidates += [shutil.which("python3.9") or ""]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys, venv; print(sys.version_info[:2] == (3, 9))"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() == "True":
            return [*found, pytest.param(candidate, id="python3.9")]
    return [*found, pytest.param("", id="python3.9", marks=pytest.mark.skip("no Python 3.9"))]


def quickstart() -> str:
    readme = (SDK / "README.md").read_text()
    after = readme.split("<!-- quickstart", 1)[1]
    match = re.search(r"```python\n(.*?)```", after, re.S)
    assert match, "README.md has no quickstart block"
    return match.group(1)


@pytest.mark.parametrize("python", interpreters())
def test_the_readme_quickstart_runs_from_the_installed_wheel(
    python: str, dist: Path, account: Account, collector_url: str, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run(python, "-m", "venv", venv)
    venv_python = venv / "bin" / "python"
    run(venv_python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", wheel_of(dist))
    script = tmp_path / "quickstart.py"
    script.write_text(quickstart())
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LLMOBSERVE_"))
    }
    environment.update(LLMOBSERVE_API_KEY=account.key, LLMOBSERVE_COLLECTOR_URL=collector_url)

    result = run(venv_python, script, cwd=tmp_path, env=environment)

    assert result.stdout.strip() == "connected to SDK Test's account"
    (run_summary,) = [r for r in account.runs() if r["name"] == "quickstart"]
    assert run_summary["customer_id"] == "acme"
    assert account.costs()["total_cost_usd"] == "0.004200"
    located = run(venv_python, "-c", "import llmobserve; print(llmobserve.__file__)", cwd=tmp_path)
    assert str(venv) in located.stdout  # the installed wheel ran, not the source tree
