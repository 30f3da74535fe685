"""HTTP to the collector, with the standard library only (urllib: proxies from the environment
and the system's certificates work as for any Python program).

Nothing here retries or raises: every request ends in an `Answer`, and the worker decides. What
no HTTP answer came for (the network, or an unexpected error) is an `Answer` without a status,
which the worker retries like a network error instead of failing the batch at once.
"""

from __future__ import annotations

import email.utils
import encodings.idna  # noqa: F401  (now, before any thread: see below)
import gzip
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from llmobserve._log import report_internal_error
from llmobserve._version import __version__

# socket.getaddrinfo imports the "idna" codec the first time a host name is looked up. A process
# forked while the worker thread is inside that import can fail its lookups with `LookupError:
# unknown encoding: idna` (CPython bpo-29288; requests and the AWS CLI import it early for the
# same reason), and a forked child's events would fail to send. Importing it with this module,
# before the worker thread exists, leaves no import to be caught halfway.

USER_AGENT = f"llmobserve-python/{__version__}"
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is capped
# The collector's answers are small (a batch result, an error). Reading at most this much keeps
# a misconfigured URL that answers with a huge page from costing the host memory and time.
MAX_ANSWER_BYTES = 1_000_000


@dataclass(frozen=True)
class Answer:
    """The outcome of one request: `status` is None when no HTTP answer came at all."""

    status: int | None
    body: bytes = b""
    retry_after: float | None = None
    problem: str | None = None  # what went wrong on the network, for the log
    truncated: bool = False  # the body was longer than MAX_ANSWER_BYTES: `body` is its start

    def json(self) -> Any:
        """The body as JSON; None without a body. Raises ValueError for anything else."""
        if not self.body:
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except RecursionError as exc:  # nested deeper than the parser goes: not ours
            raise ValueError("the answer is nested too deeply") from exc

    def error_message(self) -> str:
        """The collector's error message (`{"error": {"code", "message"}}`) or the raw body."""
        try:
            error = self.json()["error"]
            return f"{error['message']} ({error['code']})"
        except (ValueError, KeyError, TypeError):
            return self.body[:200].decode("utf-8", "replace") or f"HTTP {self.status}"

    def error_code(self) -> str | None:
        try:
            return str(self.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be resent as a GET without its body: report it instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_events(url: str, api_key: str, body: bytes, *, timeout: float) -> Answer:
    """POST a JSON body `{"events": [...]}` to {url}/v1/events, gzipped."""
    request = urllib.request.Request(
        f"{url}/v1/events",
        data=gzip.compress(body, compresslevel=5),
        method="POST",
        headers={
            **_headers(api_key),
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    return _send(request, timeout)


def get(url: str, path: str, api_key: str, *, timeout: float) -> Answer:
    return _send(urllib.request.Request(f"{url}{path}", headers=_headers(api_key)), timeout)


def _headers(api_key: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


def _send(request: urllib.request.Request, timeout: float) -> Answer:
    try:
        with _opener.open(request, timeout=timeout) as response:
            body, truncated = _read_bounded(response)
            return Answer(response.status, body, truncated=truncated)
    except urllib.error.HTTPError as error:
        try:
            body, truncated = _read_bounded(error)
        except (OSError, http.client.HTTPException):
            body, truncated = b"", False
        finally:
            error.close()
        retry_after = parse_retry_after(error.headers.get("Retry-After"))
        return Answer(error.code, body, retry_after, truncated=truncated)
    except (OSError, http.client.HTTPException, ValueError) as error:
        # URLError (refused, DNS, TLS), timeouts, a connection closed before the answer.
        reason = getattr(error, "reason", None) or error
        return Answer(None, problem=f"{type(reason).__name__}: {reason}")
    except Exception as error:  # not the network: the interpreter's state, or a bug of ours
        report_internal_error(error)  # (tests turn it into a failure)
        return Answer(None, problem=f"{type(error).__name__}: {error}")  # retried, then warned


def _read_bounded(response: Any) -> tuple[bytes, bool]:
    """At most MAX_ANSWER_BYTES of the body, and whether there was more (left unread: closing
    the response drops the connection instead of downloading the rest)."""
    body = response.read(MAX_ANSWER_BYTES + 1)
    if len(body) > MAX_ANSWER_BYTES:
        return body[:MAX_ANSWER_BYTES], True
    missing = getattr(response, "length", None) or getattr(
        getattr(response, "fp", None), "length", None
    )
    if missing:  # read(n) returns what came before the connection closed: the answer was lost
        raise http.client.IncompleteRead(body, missing)
    return body, False


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
