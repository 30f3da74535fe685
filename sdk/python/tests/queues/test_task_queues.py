"""Celery tasks and RQ jobs continue the run that enqueued them: real workers (a Celery prefork
worker, an RQ forking worker) on the machine's Redis (127.0.0.1:6379), the real collector.

The producer is this test process (its SDK started by `start_sdk`); the worker is a separate
process that calls `llmobserve.init()` at start-up, as the docs tell users to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from support.accounts import Account, eventually

import llmobserve

REDIS_URL = "redis://127.0.0.1:6379/0"
Spans = list[dict[str, Any]]

TASKS = """
import os

import llmobserve
from celery import Celery

if os.environ.get("LLMO_WORKER"):
    llmobserve.init(flush_interval=0.05)

app = Celery("llmo_tasks", broker=os.environ["LLMO_REDIS"], backend=os.environ["LLMO_REDIS"])
app.conf.task_default_queue = os.environ["LLMO_QUEUE"]


@app.task(name="summarize")
def summarize(tokens):
    llmobserve.track("inside-task", provider="openai", model="gpt-4o-mini", operation="chat",
                     input_tokens=tokens, output_tokens=1)
    return llmobserve.export_context()


@app.task(name="explode")
def explode():
    raise ValueError("the task failed")
"""

JOBS = """
import llmobserve


def summarize(tokens):
    llmobserve.track("inside-job", provider="openai", model="gpt-4o-mini", operation="chat",
                     input_tokens=tokens, output_tokens=1)
    return llmobserve.export_context()
"""

RQ_WORKER = """
import os, sys

import llmobserve
from redis import Redis
from rq import Queue, Worker

llmobserve.init(flush_interval=0.05)
connection = Redis.from_url(os.environ["LLMO_REDIS"])
Worker([Queue(os.environ["LLMO_QUEUE"], connection=connection)], connection=connection).work(
    burst=True
)
"""


def walk(spans: Spans) -> Iterator[dict[str, Any]]:
    for span in spans:
        yield span
        yield from walk(span["children"])


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # pragma: no cover - Redis runs on every dev and CI machine
        pytest.fail(f"Redis at {REDIS_URL} is needed (see ENVIRONMENT.md): {exc}")


@pytest.fixture
def queue_name(request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"llmobserve-test-{os.getpid()}-{request.node.name}"
    yield name
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


@pytest.fixture
def project(
    tmp_path: Path, queue_name: str, account: Account, collector_url: str
) -> Iterator[tuple[Path, dict[str, str]]]:
    """The user's code in a directory, importable here, and the worker's environment."""
    redis_or_skip()
    (tmp_path / "llmo_tasks.py").write_text(textwrap.dedent(TASKS))
    (tmp_path / "llmo_jobs.py").write_text(textwrap.dedent(JOBS))
    (tmp_path / "rq_worker.py").write_text(textwrap.dedent(RQ_WORKER))
    env = {
        **os.environ,
        "LLMO_REDIS": REDIS_URL,
        "LLMO_QUEUE": queue_name,
        "LLMO_WORKER": "1",
        "LLMOBSERVE_API_KEY": account.key,
        "LLMOBSERVE_COLLECTOR_URL": collector_url,
        "PYTHONPATH": str(tmp_path),
    }
    os.environ["LLMO_REDIS"], os.environ["LLMO_QUEUE"] = REDIS_URL, queue_name
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path, env
    finally:
        sys.path.remove(str(tmp_path))
        for module in ("llmo_tasks", "llmo_jobs"):
            sys.modules.pop(module, None)
        os.environ.pop("LLMO_REDIS", None)
        os.environ.pop("LLMO_QUEUE", None)


def spans_of(account: Account, run_id: str, *names: str) -> dict[str, dict[str, Any]]:
    """The run's spans by name, once every one of `names` has arrived."""

    def arrived() -> dict[str, dict[str, Any]]:
        found = {span["name"]: span for span in walk(account.run(run_id)["spans"])}
        assert set(names) <= set(found), sorted(found)
        return found

    return eventually(arrived, timeout=120)


@pytest.fixture
def celery_worker(project: tuple[Path, dict[str, str]], queue_name: str) -> Iterator[None]:
    directory, env = project
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "llmo_tasks",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "-Q",
        queue_name,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    log = (directory / "celery.log").open("wb")
    worker = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=log)
    try:
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:  # pragma: no cover
            worker.kill()
        log.close()


@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_a_celery_task_is_a_span_of_the_run_that_enqueued_it(
    account: Account, start_sdk: Callable[..., None]
) -> None:
    start_sdk()
    import llmo_tasks

    with llmobserve.run("enqueue-summary") as frame, llmobserve.customer("acme"):
        result = llmo_tasks.summarize.delay(1200)
    in_task = result.get(timeout=120)
    assert in_task["run_id"] == frame.run_id and in_task["customer_id"] == "acme"
    assert llmobserve.flush(timeout=30)
    spans = spans_of(account, str(frame.run_id), "summarize", "inside-task")
    assert spans["summarize"]["parent_span_id"] == frame.span_id
    assert spans["inside-task"]["parent_span_id"] == spans["summarize"]["span_id"]
    assert spans["inside-task"]["cost_usd"] != "0.000000"


@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_a_failed_celery_task_is_an_error_span(
    account: Account, start_sdk: Callable[..., None]
) -> None:
    start_sdk()
    import llmo_tasks

    with llmobserve.run("enqueue-failure") as frame:
        result = llmo_tasks.explode.delay()
    with pytest.raises(ValueError, match="the task failed"):
        result.get(timeout=120)
    assert llmobserve.flush(timeout=30)
    span = spans_of(account, str(frame.run_id), "explode")["explode"]
    assert span["status"] == "error"


@pytest.mark.slow
def test_an_rq_job_is_a_span_of_the_run_that_enqueued_it(
    project: tuple[Path, dict[str, str]],
    queue_name: str,
    account: Account,
    start_sdk: Callable[..., None],
) -> None:
    from rq import Queue

    start_sdk()
    import llmo_jobs

    queue = Queue(queue_name, connection=redis.Redis.from_url(REDIS_URL))
    with llmobserve.run("enqueue-job") as frame, llmobserve.customer("acme"):
        job = queue.enqueue(llmo_jobs.summarize, 900)
    directory, env = project
    worker = subprocess.run(
        [sys.executable, "rq_worker.py"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    job.refresh()
    assert job.return_value()["run_id"] == frame.run_id
    assert llmobserve.flush(timeout=30)
    spans = spans_of(account, str(frame.run_id), "llmo_jobs.summarize", "inside-job")
    assert spans["llmo_jobs.summarize"]["parent_span_id"] == frame.span_id
    assert spans["inside-job"]["parent_span_id"] == spans["llmo_jobs.summarize"]["span_id"]
