"""A Python process that has imported the SDK and every library `llmobserve.init()` instruments,
and runs each Python sample in a child forked from it: `python sample.py` without paying those
imports (several seconds of CPU) once per sample.

Run as a script (`python preloader.py`) by runner.py's `Preloader`. It starts no thread, so
forking it is safe. Protocol, one JSON object per line: runner.py writes
`{"script", "cwd", "env", "stdout", "stderr"}` on its stdin; it answers `{"pid": …}` once the
child is forked and `{"returncode": …}` once the child has exited.

The child does what `python sample.py` does: `sys.argv` and `sys.path[0]` as for a script, the
environment and working directory given, stdout and stderr to the given files, the script run as
`__main__`, an uncaught exception printed with its traceback and exit status 1, and the
interpreter's normal exit (atexit handlers: the SDK's final flush) after it.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import sys
import traceback

PRELOADED = ("llmobserve", "llmobserve.integrations", "httpx")
# What `llmobserve.init()` imports when it patches them (llmobserve/integrations/__init__.py).
INSTRUMENTED = ("openai", "anthropic", "pinecone", "celery", "rq")


def preload() -> None:
    for name in PRELOADED + INSTRUMENTED:
        try:
            importlib.import_module(name)
        except ImportError:  # not installed: the sample imports (or misses) it as a reader would
            pass


def run_child(request: dict[str, object]) -> None:
    """In the forked child: become `python <script>` and never return."""
    script = str(request["script"])
    os.chdir(str(request["cwd"]))
    environment = request["env"]
    assert isinstance(environment, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in environment.items()})
    for fd, key in ((1, "stdout"), (2, "stderr")):
        target = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    nothing = os.open(os.devnull, os.O_RDONLY)  # not the parent's requests
    os.dup2(nothing, 0)
    os.close(nothing)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115  (the child's, for its whole life)
    sys.argv = [script]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    status = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            status = code or 0
        else:
            print(code, file=sys.stderr)
            status = 1
    except BaseException:  # noqa: BLE001  (as the interpreter does for an uncaught exception)
        traceback.print_exc()
        status = 1
    sys.exit(status)  # a normal exit: atexit handlers run, buffers are flushed


def main() -> None:
    preload()
    answer = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        answer.flush()
        pid = os.fork()
        if pid == 0:
            run_child(request)
        print(json.dumps({"pid": pid}), file=answer, flush=True)
        _, wait_status = os.waitpid(pid, 0)
        returncode = os.waitstatus_to_exitcode(wait_status)
        print(json.dumps({"returncode": returncode}), file=answer, flush=True)


if __name__ == "__main__":
    main()
