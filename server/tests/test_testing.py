"""`llmobserve_server.testing`: the helpers users and our suites run servers with.

`RunningServer.wait_for_log` is given a log file and a finished process (waiting on the log reads
only the file), so these tests start no server.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmobserve_server.testing import RunningServer


@pytest.fixture
def finished_process() -> Iterator[subprocess.Popen[bytes]]:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as process:
        process.wait(timeout=60)
        yield process


def server_with_log(tmp_path: Path, process: subprocess.Popen[bytes], log: str) -> RunningServer:
    log_path = tmp_path / "server.log"
    log_path.write_text(log)
    return RunningServer("http://127.0.0.1:1", "sqlite", None, tmp_path, log_path, 1, process)


def test_wait_for_log_returns_once_the_line_is_logged_often_enough(
    tmp_path: Path, finished_process: subprocess.Popen[bytes]
) -> None:
    server = server_with_log(tmp_path, finished_process, "job ran\njob ran\n")

    server.wait_for_log("job ran", count=2, timeout=5)


def test_wait_for_log_raises_timeout_error_with_the_log_tail_when_the_line_never_comes(
    tmp_path: Path, finished_process: subprocess.Popen[bytes]
) -> None:
    server = server_with_log(tmp_path, finished_process, "started\n")

    with pytest.raises(TimeoutError, match=r"'job ran' not logged 1x within 0.2s:\nstarted"):
        server.wait_for_log("job ran", timeout=0.2)


def test_wait_for_log_ends_under_python_dash_o(tmp_path: Path) -> None:
    """`python -O` strips `assert`: the helper's deadline must not be one."""
    script = textwrap.dedent(
        """
        import subprocess, sys
        from pathlib import Path
        from llmobserve_server.testing import RunningServer

        data_dir = Path(sys.argv[1])
        log_path = data_dir / "server.log"
        log_path.write_text("started\\n")
        with subprocess.Popen([sys.executable, "-c", "pass"]) as process:
            process.wait()
            url = "http://127.0.0.1:1"
            server = RunningServer(url, "sqlite", None, data_dir, log_path, 1, process)
            try:
                server.wait_for_log("job ran", timeout=0.2)
            except TimeoutError:
                sys.exit(0)
        sys.exit("wait_for_log returned without the line")
        """
    )
    result = subprocess.run(
        [sys.executable, "-O", "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
