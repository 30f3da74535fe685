"""deploy/: the platform files point at the Dockerfile and the health checks that exist, and the
image runs as an unprivileged user on the port it exposes."""

from __future__ import annotations

import json
from typing import Any

import yaml

from llmobserve_server.config import Settings
from tests.ops.dockerfile import REPOSITORY, runtime_stage

DEPLOY = REPOSITORY / "deploy"


def _yaml(name: str) -> Any:
    return yaml.safe_load((DEPLOY / name).read_text())


def test_the_image_runs_as_a_non_root_user_in_production_mode() -> None:
    stage = runtime_stage()
    assert stage.user not in ("root", "0", "")
    assert stage.env["LLMOBSERVE_ENV"] == "production"
    assert stage.env["HOST"] == "0.0.0.0"
    assert stage.exposed == [stage.env["PORT"]]
    assert "/healthz" in " ".join(stage.healthcheck)


def test_compose_builds_the_dockerfile_and_waits_for_postgres() -> None:
    compose = _yaml("docker-compose.yml")
    server = compose["services"]["server"]
    assert (DEPLOY / server["build"]["context"] / server["build"]["dockerfile"]).is_file()
    assert server["depends_on"]["db"]["condition"] == "service_healthy"
    assert "SECRET_KEY" in server["environment"]
    grace = int(server["stop_grace_period"].removesuffix("s"))
    assert grace > Settings().shutdown_timeout_seconds


def test_render_builds_the_dockerfile_and_checks_readiness() -> None:
    (service,) = _yaml("render.yaml")["services"]
    assert (REPOSITORY / service["dockerfilePath"]).is_file()
    assert service["healthCheckPath"] == "/readyz"
    assert service["maxShutdownDelaySeconds"] > Settings().shutdown_timeout_seconds
    secret = next(var for var in service["envVars"] if var["key"] == "SECRET_KEY")
    assert secret["generateValue"] is True


def test_railway_builds_the_dockerfile_and_checks_readiness() -> None:
    railway = json.loads((DEPLOY / "railway.json").read_text())
    assert (REPOSITORY / railway["build"]["dockerfilePath"]).is_file()
    assert railway["deploy"]["healthcheckPath"] == "/readyz"
