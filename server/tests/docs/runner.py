"""Running one docs sample as a reader would: a script in a fresh directory, the real provider
libraries pointed at the SDK suite's fake upstream servers, the SDK and curl at a real server.
A Python sample runs in a process forked from one that has already imported the SDK and the
libraries it instruments (preloader.py), which `python sample.py` would spend seconds on.

Placeholders in a sample are replaced before it runs (so the docs can show what readers type):

| in the docs | replaced by |
| --- | --- |
| `http://127.0.0.1:8000` | the test server's URL |
| `llmo_sk_…` (or `llmo_sk_...`) | the API key of an account made for the sample |
| `you@example.com`, `ops@example.com` | that account's email (password `a long passphrase`) |
| `postgresql://postgres@127.0.0.1:5432/llmobserve` | a fresh PostgreSQL database |

A sample that signs up (its code calls `/v1/auth/sign-up`) gets no account made for it: it makes
its own with that email. The environment has LLMOBSERVE_DATA_DIR (the test server's, for its
commands), LLMOBSERVE_URL (the shell samples' server), LLMOBSERVE_API_KEY and
LLMOBSERVE_COLLECTOR_URL,
OPENAI_API_KEY/OPENAI_BASE_URL, ANTHROPIC_API_KEY/ANTHROPIC_BASE_URL,
PINECONE_API_KEY/PINECONE_CONTROLLER_HOST, and OTEL_EXPORTER_OTLP_ENDPOINT/HEADERS (the server's
`/otlp` and the key), as a reader's shell would. JavaScript samples run with `node` beside the
npm packages of the Node.js OpenTelemetry tests (tests/support/node_otlp.py).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fakes.anthropic_upstream import AnthropicScenario, FakeAnthropic
from fakes.http_upstream import JsonReply, Received, SseReply
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from fakes.pinecone_upstream import FakePinecone, PineconeScenario

from tests.docs.markdown_samples import Block
from tests.support.node_otlp import installed_node_project

PASSWORD = "a long passphrase"
KEY_NAME = "production-1"
DOCS_URL = "http://127.0.0.1:8000"
DOCS_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/llmobserve"
SAMPLE_TIMEOUT = 120  # seconds
_PROVIDER_ENV = ("LLMOBSERVE_", "OPENAI_", "ANTHROPIC_", "PINECONE_", "DATABASE_URL", "OTEL_")
_SCRIPTS = {"python": "sample.py", "bash": "sample.sh", "javascript": "sample.mjs"}
_PROXY_ENV = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}


class FakePineconeWithIndexes(FakePinecone):
    """The fake data plane, answering the control plane's `describe_index` too, so that
    `Pinecone().Index("products")` finds its host (this same server)."""

    def answer(self, request: Received) -> JsonReply | SseReply:
        if request.method == "GET" and request.path.startswith("/indexes/"):
            return JsonReply(
                {
                    "name": request.path.rsplit("/", 1)[1],
                    "host": self.url,
                    "status": {"ready": True, "state": "Ready"},
                    "schema": {"fields": {}},
                    "deployment": {"deployment_type": "managed", "cloud": "aws", "region": "x"},
                    "deletion_protection": "disabled",
                }
            )
        return super().answer(request)


@dataclass
class Upstreams:
    openai: FakeOpenAI
    anthropic: FakeAnthropic
    pinecone: FakePineconeWithIndexes

    def reset(self) -> None:
        self.openai.scenario = OpenAIScenario()
        self.anthropic.scenario = AnthropicScenario()
        self.pinecone.scenario = PineconeScenario()
        for fake in (self.openai, self.anthropic, self.pinecone):
            fake.requests.clear()


@contextmanager
def upstreams() -> Iterator[Upstreams]:
    with ExitStack() as stack:
        fakes = Upstreams(FakeOpenAI(), FakeAnthropic(), FakePineconeWithIndexes())
        for fake in (fakes.openai, fakes.anthropic, fakes.pinecone):
            stack.callback(fake.close)
        yield fakes


@dataclass
class DocsAccount:
    """The account a sample runs as, read back over the API like a reader would."""

    base_url: str
    email: str
    key: str = ""
    api: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.api = httpx.Client(base_url=self.base_url, timeout=30)

    def sign_up(self) -> None:
        """Sign up with `email` and PASSWORD, and create the key KEY_NAME."""
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            body = {"email": self.email, "password": PASSWORD, "name": "Docs Reader"}
            response = client.post("/v1/auth/sign-up", json=body)
            assert response.status_code == 201, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            response = client.post("/v1/api-keys", json={"name": KEY_NAME})
            assert response.status_code == 201, response.text
            self.use_key(response.json()["key"])

    @contextmanager
    def session(self) -> Iterator[httpx.Client]:
        """A client signed in as the account's user (cookie and CSRF header)."""
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            body = {"email": self.email, "password": PASSWORD}
            response = client.post("/v1/auth/sign-in", json=body)
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            yield client

    def use_key(self, key: str) -> None:
        self.key = key
        self.api.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params: Any) -> Any:
        """GET with the API key, or signed in when the sample made the account itself."""
        if self.key:
            response = self.api.get(path, params=params)
        else:
            with self.session() as session:
                response = session.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def runs(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get("/v1/runs", limit=200, **params)["runs"])

    def run_named(self, name: str) -> dict[str, Any]:
        (summary,) = [run for run in self.runs() if run["name"] == name]
        return dict(self.get(f"/v1/runs/{summary['run_id']}"))

    def costs(self, group_by: str) -> dict[str, str]:
        """{key: cost_usd} of the rows that cost something (the $0 row of the SDK's span markers,
        without customer or section, is left out), grouped by `group_by`."""
        rows = self.get("/v1/costs", group_by=group_by)["rows"]
        return {row["key"]: row["cost_usd"] for row in rows if Decimal(row["cost_usd"]) > 0}

    def close(self) -> None:
        self.api.close()


def spans_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every span of a run's tree, depth first."""
    found: list[dict[str, Any]] = []
    pending = list(run["spans"])
    while pending:
        span = pending.pop(0)
        found.append(span)
        pending[:0] = span["children"]
    return found


def calls_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The provider calls and custom events of a run (spans that are not run/section/agent)."""
    return [s for s in spans_of(run) if s["operation"] not in ("run", "section", "agent")]


@dataclass
class SampleRun:
    block: Block
    stdout: str
    account: DocsAccount
    upstreams: Upstreams

    @property
    def lines(self) -> list[str]:
        return self.stdout.strip().splitlines()


def substitute(code: str, *, base_url: str, account: DocsAccount, postgres_url: str | None) -> str:
    code = code.replace(DOCS_URL, base_url)
    code = code.replace("you@example.com", account.email).replace("ops@example.com", account.email)
    code = code.replace("llmo_sk_…", account.key).replace("llmo_sk_...", account.key)
    if postgres_url:
        code = code.replace(DOCS_POSTGRES_URL, postgres_url)
    return code


def new_account(base_url: str, block: Block) -> DocsAccount:
    account = DocsAccount(base_url, f"docs-{uuid.uuid4().hex[:12]}@example.com")
    if "/v1/auth/sign-up" not in block.code:
        account.sign_up()
    return account


def execute(
    block: Block,
    *,
    account: DocsAccount,
    base_url: str,
    data_dir: Path,
    fakes: Upstreams,
    workdir: Path,
    preloader: Preloader,
    postgres_url: str | None = None,
) -> SampleRun:
    code = substitute(block.code, base_url=base_url, account=account, postgres_url=postgres_url)
    script = workdir / _SCRIPTS[block.language]
    script.write_text(code)
    env = _environment(account, base_url, fakes, data_dir)
    if block.language == "python":
        returncode, stdout, stderr = preloader.run(script, cwd=workdir, env=env)
    else:
        command = ["bash", "-e", "-o", "pipefail", str(script)]
        if block.language == "javascript":
            (workdir / "node_modules").symlink_to(installed_node_project() / "node_modules")
            command = ["node", str(script)]
        result = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, timeout=SAMPLE_TIMEOUT
        )
        returncode, stdout, stderr = result.returncode, result.stdout, result.stderr
    assert returncode == 0, (
        f"{block.where} ({block.sample}) exited with {returncode}\n"
        f"--- script\n{code}--- stdout\n{stdout}--- stderr\n{stderr}"
    )
    return SampleRun(block, stdout, account, fakes)


class Preloader:
    """preloader.py, running: Python samples run in children forked from a process that has
    imported the SDK and the libraries it instruments (see there)."""

    def __init__(self) -> None:
        script = Path(__file__).with_name("preloader.py")
        env = {k: v for k, v in os.environ.items() if not k.startswith(_PROVIDER_ENV)}
        self._process = subprocess.Popen(
            [sys.executable, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._answers: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._reader.start()

    def run(self, script: Path, *, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
        """`python script` in `cwd` with `env` (killed after SAMPLE_TIMEOUT seconds): its exit
        status, stdout and stderr."""
        with tempfile.TemporaryDirectory(prefix="sample-output-") as output:
            stdout, stderr = Path(output, "stdout"), Path(output, "stderr")
            request = {"script": str(script), "cwd": str(cwd), "env": env}
            self._send({**request, "stdout": str(stdout), "stderr": str(stderr)})
            pid = int(self._receive(30)["pid"])
            try:
                answer = self._receive(SAMPLE_TIMEOUT)
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                answer = self._receive(30)
            return int(answer["returncode"]), stdout.read_text(), stderr.read_text()

    def _send(self, request: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()

    def _receive(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer from the preloader within {timeout}s") from None
        assert line, f"the preloader exited with {self._process.wait()}"
        return dict(json.loads(line))

    def _read_answers(self) -> None:
        """On a thread of its own: every line the preloader writes, then "" when it exits."""
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put("")

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=30)
        assert self._process.stdout is not None
        self._process.stdout.close()


def _environment(
    account: DocsAccount, base_url: str, fakes: Upstreams, data_dir: Path
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_PROVIDER_ENV) and k.upper() not in _PROXY_ENV
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        LLMOBSERVE_DATA_DIR=str(data_dir),  # server commands act on the test server's database
        LLMOBSERVE_COLLECTOR_URL=base_url,
        LLMOBSERVE_URL=base_url,  # the shell samples' one variable for the server's address
        OPENAI_API_KEY="sk-docs",
        # OpenAI's own host (the SDK names the provider from it), reached through the fake as an
        # HTTP proxy; everything on 127.0.0.1 (the server, the other fakes) goes direct
        OPENAI_BASE_URL="http://api.openai.com/v1",
        HTTP_PROXY=fakes.openai.url,
        NO_PROXY="127.0.0.1,localhost",
        ANTHROPIC_API_KEY="sk-ant-docs",
        ANTHROPIC_BASE_URL=fakes.anthropic.url,
        PINECONE_API_KEY="pc-docs",
        PINECONE_CONTROLLER_HOST=fakes.pinecone.url,
        OTEL_EXPORTER_OTLP_ENDPOINT=f"{base_url}/otlp",
    )
    if account.key:
        env["LLMOBSERVE_API_KEY"] = account.key
        env["OTEL_EXPORTER_OTLP_HEADERS"] = f"Authorization=Bearer {account.key}"
    return env
