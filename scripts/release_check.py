"""`make release-check`: are both packages ready to publish?

1. build the sdist and wheel of llmobserve-server (server/) and llmobserve (sdk/python/);
2. `twine check --strict` all four files;
3. install both wheels into a fresh virtualenv: with their dependencies from PyPI, or with
   `--offline` (the test suite) without them, the dependencies then coming from the running
   interpreter's site-packages;
4. smoke-test the installed packages: `llmobserve-server serve` from the wheel on a temporary
   SQLite directory, sign up over HTTP, create an API key, send an event with the SDK, and read
   its cost back from /v1/costs;
5. the upgrade from `llmobserve` 0.3.0 (the earlier tool of this name on PyPI): into a fresh
   virtualenv holding 0.3.0, `pip install --upgrade llmobserve` with both 0.3.0's wheel and ours
   on offer picks ours, removes 0.3.0's modules, and 0.3's `observe()` still starts the SDK.

Usage: python scripts/release_check.py [--offline] [--dist DIR]. Standard library only; the
build needs `build`, `hatchling` and `twine` (the dev extras) in the running interpreter.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"llmobserve_server": ROOT / "server", "llmobserve": ROOT / "sdk" / "python"}
EXPECTED_COST = "0.000360"  # 1,200 input and 300 output tokens of gpt-4o-mini


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true", help="install the wheels without deps")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where to build")
    args = parser.parse_args(argv)
    version = (ROOT / "VERSION").read_text().strip()
    with tempfile.TemporaryDirectory(prefix="llmobserve-release-") as scratch:
        work = Path(scratch)
        wheels = build(args.dist, version)
        venv = install(wheels, work / "venv", offline=args.offline)
        smoke_test(venv, work, version)
        check_upgrade_from_0_3(wheels, work, version)
    print(f"release check passed: llmobserve-server and llmobserve {version} in {args.dist}")
    return 0


def build(dist: Path, version: str) -> list[Path]:
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob("llmobserve*"):
        old.unlink()
    for source in PACKAGES.values():
        step(f"building {source.relative_to(ROOT)}")
        # --no-isolation: hatchling comes from the dev extras, nothing is downloaded
        run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source)
    files = sorted(dist.glob("llmobserve*"))
    expected = {
        f"{name}-{version}{suffix}"
        for name in PACKAGES
        for suffix in ("-py3-none-any.whl", ".tar.gz")
    }
    found = {file.name for file in files}
    if found != expected:
        fail(f"expected {sorted(expected)} in {dist}, found {sorted(found)}")
    step("twine check --strict")
    run(sys.executable, "-m", "twine", "check", "--strict", *files)
    return [file for file in files if file.suffix == ".whl"]


def install(wheels: list[Path], venv: Path, *, offline: bool) -> Path:
    step(f"installing the wheels into a fresh virtualenv ({'offline' if offline else 'PyPI'})")
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    if offline:
        # The wheels' dependencies from this interpreter, after the venv's own site-packages
        # (so that the wheels' copies of our packages win over any editable install here).
        purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
        deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
        Path(purelib.strip(), "release_check_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
        run(python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", *wheels)
    else:
        run(python, "-m", "pip", "install", "--quiet", *wheels)
    return venv


OLD_RELEASE = "llmobserve==0.3.0"
UPGRADE_CHECK = """
import importlib.util, sys, warnings
import llmobserve
assert llmobserve.__version__ == sys.argv[1], llmobserve.__version__
assert importlib.util.find_spec("llmobserve.observe") is None, "0.3.0's modules are left over"
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    llmobserve.observe(collector_url="http://127.0.0.1:9", api_key="llmo_sk_upgrade",
                       flush_interval_ms=500, tenant_id="default_tenant")
assert llmobserve.is_enabled()
assert any("llmobserve.init(" in str(w.message) for w in caught), [str(w.message) for w in caught]
llmobserve.shutdown(timeout=0)
"""


def check_upgrade_from_0_3(wheels: list[Path], work: Path, version: str) -> None:
    step(f"`pip install llmobserve=={version}` and the upgrade from {OLD_RELEASE} pick the wheel")
    links = work / "links"
    links.mkdir()
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", links, OLD_RELEASE)
    old_wheel = next(links.glob("llmobserve-0.3.0-*.whl"))
    sdk_wheel = next(wheel for wheel in wheels if wheel.name.startswith("llmobserve-"))
    (links / sdk_wheel.name).write_bytes(sdk_wheel.read_bytes())
    # 0.3.0 without its dependencies (httpx, …): only its files matter to the upgrade.
    scenarios = {
        "by-version": [[f"llmobserve=={version}"]],
        "upgrade": [[str(old_wheel)], ["--upgrade", "llmobserve"]],
    }
    for name, installs in scenarios.items():
        venv = work / f"{name}-venv"
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        pip = (python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps")
        for arguments in installs:
            run(*pip, "--find-links", links, *arguments)
        shown = run(python, "-m", "pip", "show", "llmobserve")
        if f"Version: {version}" not in shown:
            fail(f"{name}: pip installed another llmobserve than {version}:\n{shown}")
        run(python, "-W", "error::DeprecationWarning", "-c", UPGRADE_CHECK, version, cwd=work)


def smoke_test(venv: Path, work: Path, version: str) -> None:
    python, server = venv / "bin" / "python", venv / "bin" / "llmobserve-server"
    step("versions and locations of the installed packages")
    if run(server, "version").strip() != version:
        fail(f"llmobserve-server version is not {version}")
    for package in PACKAGES:
        code = f"import {package} as p; print(p.__version__, p.__file__)"
        installed, location = run(python, "-c", code, cwd=work).split()
        if installed != version or not location.startswith(str(venv)):
            fail(f"{package} {installed} imported from {location}, not the wheel in {venv}")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    step(f"llmobserve-server serve from the wheel on {base_url} (SQLite)")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORT")}
    env.update(LLMOBSERVE_DATA_DIR=str(work / "data"), RETENTION_INTERVAL_HOURS="0")
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [server, "serve", "--port", str(port)], cwd=work, env=env, stdout=log, stderr=log
        )
    try:
        wait_until_ready(base_url, process, log_path)
        key = sign_up_and_create_key(base_url)
        step("an event sent with the SDK, and its cost read back")
        send_event_with_sdk(python, base_url, key, work)
        check_cost(base_url, key)
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_up_and_create_key(base_url: str) -> str:
    session = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    email = f"release-{os.getpid()}-{int(time.time())}@example.com"
    body = {"email": email, "password": "a long release passphrase", "name": "Release"}
    signed_up = request(session, f"{base_url}/v1/auth/sign-up", body)
    headers = {"X-CSRF-Token": signed_up["csrf_token"]}
    created = request(session, f"{base_url}/v1/api-keys", {"name": "release"}, headers)
    return str(created["key"])


def send_event_with_sdk(python: Path, base_url: str, key: str, cwd: Path) -> None:
    script = f"""
import llmobserve
llmobserve.init(api_key={key!r}, collector_url={base_url!r})
llmobserve.track("release-smoke", provider="openai", model="gpt-4o-mini", operation="chat",
                 input_tokens=1200, output_tokens=300)
assert llmobserve.flush(timeout=30), llmobserve.stats()
assert llmobserve.stats()["sent"] == 1, llmobserve.stats()
"""
    run(python, "-c", script, cwd=cwd)


def check_cost(base_url: str, key: str) -> None:
    opener = urllib.request.build_opener()
    headers = {"Authorization": f"Bearer {key}"}
    costs = request(opener, f"{base_url}/v1/costs?group_by=model", None, headers)
    rows = [(row["key"], row["cost_usd"]) for row in costs["rows"]]
    if rows != [("gpt-4o-mini", EXPECTED_COST)]:
        fail(f"expected gpt-4o-mini at {EXPECTED_COST} in /v1/costs, got {rows}")


def request(
    opener: urllib.request.OpenerDirector,
    url: str,
    body: dict[str, Any] | None,
    headers: dict[str, str] | None = None,
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    prepared = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        prepared.add_header("Content-Type", "application/json")
    try:
        with opener.open(prepared, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        fail(f"{url} answered {error.code}: {error.read().decode(errors='replace')}")


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    fail(f"the server was not ready after 90 s:\n{log.read_text()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, timeout=600
    )
    if result.returncode != 0:
        fail(
            f"{' '.join(map(str, command))} exited with {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str) -> Any:
    print(f"release check FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


if __name__ == "__main__":
    sys.exit(main())
