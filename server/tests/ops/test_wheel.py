"""The server built as a wheel and started exactly as deploy/Dockerfile starts it.

The wheel is built from the source tree (offline, with the hatchling `make` installs) and
installed without dependencies into a fresh virtualenv; the dependencies come from the
development virtualenv, added to the fresh one's path by a `.pth` file, so that the test needs no
network and takes seconds. What runs is the wheel's code and console script: a file left out of
the wheel (a template, a migration, a static file) fails here.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmobserve_server.testing import RunningServer, free_port
from tests.ops.dockerfile import REPOSITORY, runtime_stage
from tests.support.databases import app_role, fresh_postgres_database, require_postgres
from tests.support.factories import event, sign_up


@pytest.fixture(scope="session")
def server_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(out), str(REPOSITORY / "server")],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("llmobserve_server-*.whl")
    return wheel


@pytest.fixture(scope="session")
def wheel_venv(server_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", str(server_wheel)],
        check=True,
        capture_output=True,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.fixture(scope="module")
def image_like_server(
    wheel_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The Dockerfile's CMD with its ENV, plus what a deployment sets: PORT, DATABASE_URL (a
    role held by Row Level Security) and DATABASE_OWNER_URL, SECRET_KEY (the image is in
    production mode) and a data directory."""
    require_postgres()
    stage = runtime_stage()
    data_dir = tmp_path_factory.mktemp("image-data")
    port = free_port()
    with app_role() as role, fresh_postgres_database("wheel") as owner_url:
        database_url = role.url_for(owner_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMOBSERVE", "DATABASE"))}
        env.update(stage.env)
        env.update(
            {
                "PATH": f"{wheel_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
                "PORT": str(port),
                "DATABASE_URL": database_url,
                "DATABASE_OWNER_URL": owner_url,
                "SECRET_KEY": secrets.token_urlsafe(48),
                "LLMOBSERVE_DATA_DIR": str(data_dir),
                "RETENTION_INTERVAL_HOURS": "0",
            }
        )
        log_path = data_dir / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                stage.cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir
            )
        server = RunningServer(
            f"http://127.0.0.1:{port}",
            "postgresql",
            database_url,
            data_dir,
            log_path,
            port,
            process,
            owner_url,
        )
        try:
            _wait_until_ready(server)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_ready(server: RunningServer) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log()
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready:\n{server.log()}")


def test_the_image_runs_the_installed_wheel_not_the_source_tree(wheel_venv: Path) -> None:
    where = subprocess.run(
        [
            str(wheel_venv / "bin" / "python"),
            "-c",
            "import llmobserve_server; print(llmobserve_server.__file__)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(wheel_venv))


def test_the_dockerfile_command_serves_health_and_readiness(
    image_like_server: RunningServer,
) -> None:
    assert httpx.get(f"{image_like_server.base_url}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{image_like_server.base_url}/readyz").json() == {"status": "ready"}


def test_the_dockerfile_command_signs_up_and_ingests(image_like_server: RunningServer) -> None:
    user = sign_up(image_like_server.base_url)
    key = user.create_key()
    user.client.close()
    response = httpx.post(
        f"{image_like_server.base_url}/v1/events",
        json={"events": [event(), event()]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}


def test_the_wheel_carries_the_dashboard_templates_and_static_files(
    image_like_server: RunningServer,
) -> None:
    page = httpx.get(f"{image_like_server.base_url}/sign-in")
    assert page.status_code == 200 and "<form" in page.text
    assert httpx.get(f"{image_like_server.base_url}/static/app.css").status_code == 200


def test_the_image_logs_json_lines_in_production(image_like_server: RunningServer) -> None:
    httpx.get(f"{image_like_server.base_url}/healthz")
    lines = [line for line in image_like_server.log().splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), image_like_server.log_tail()


def test_the_dockerfile_healthcheck_passes_against_the_server(
    image_like_server: RunningServer, wheel_venv: Path
) -> None:
    stage = runtime_stage()
    env = {**os.environ, "PORT": str(image_like_server.port)}
    command = [str(wheel_venv / "bin" / "python"), *stage.healthcheck[1:]]
    assert stage.healthcheck[0] == "python"
    assert subprocess.run(command, env=env, capture_output=True, timeout=30).returncode == 0
    env["PORT"] = str(free_port())  # nothing listens there
    assert subprocess.run(command, env=env, capture_output=True, timeout=30).returncode != 0
