"""Reading deploy/Dockerfile's runtime stage: what the image sets and runs."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
DOCKERFILE = REPOSITORY / "deploy" / "Dockerfile"


@dataclass
class RuntimeStage:
    env: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    user: str = "root"
    exposed: list[str] = field(default_factory=list)


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    result = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        pending = ""
    return result


def runtime_stage(path: Path = DOCKERFILE) -> RuntimeStage:
    """The last stage (the image that runs), as the settings it gives the command."""
    steps = instructions(path.read_text())
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    stage = RuntimeStage()
    for keyword, arguments in steps[last_from + 1 :]:
        if keyword == "ENV":
            for assignment in shlex.split(arguments):
                name, _, value = assignment.partition("=")
                stage.env[name] = value
        elif keyword == "CMD":
            stage.cmd = json.loads(arguments)
        elif keyword == "HEALTHCHECK":
            stage.healthcheck = json.loads(arguments.split(" CMD ", 1)[1])
        elif keyword == "USER":
            stage.user = arguments
        elif keyword == "EXPOSE":
            stage.exposed.extend(arguments.split())
    return stage
