"""What the collector answered to one request body of events: read once, checked whole.

`POST /v1/events` answers `{"accepted", "duplicates", "rejected": [{"index", "error": {"code",
"message"}}]}`, one outcome per event of the body. An answer that does not say that exactly (not
JSON, another shape, counts that do not add up to the body's events, an index outside the body)
is not an answer from an llmobserve collector: the body counts as failed and is not resent.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmobserve._transport import Answer


@dataclass(frozen=True)
class Rejection:
    """One event the collector refused, and why."""

    index: int
    code: str
    message: str


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    duplicates: int
    rejected: tuple[Rejection, ...]


def read_batch_result(count: int, answer: Answer) -> BatchResult | None:
    """The result of a 2xx answer to a body of `count` events; None when it is malformed."""
    if answer.truncated:
        return None
    try:
        result = answer.json()
    except ValueError:
        return None
    if not isinstance(result, dict):
        return None
    accepted, duplicates = result.get("accepted"), result.get("duplicates")
    entries = result.get("rejected")
    if type(accepted) is not int or type(duplicates) is not int or not isinstance(entries, list):
        return None
    rejected = tuple(_rejection(entry, count) for entry in entries)
    valid = tuple(r for r in rejected if r is not None)
    if len(valid) != len(rejected) or len({r.index for r in valid}) != len(valid):
        return None
    if min(accepted, duplicates) < 0 or accepted + duplicates + len(valid) != count:
        return None
    return BatchResult(accepted, duplicates, valid)


def _rejection(entry: object, count: int) -> Rejection | None:
    """One entry of `rejected`, or None when it is not `{"index": 0..count-1, "error": {...}}`."""
    if not isinstance(entry, dict):
        return None
    index, error = entry.get("index"), entry.get("error")
    if type(index) is not int or not 0 <= index < count or not isinstance(error, dict):
        return None
    code, message = error.get("code"), error.get("message")
    return Rejection(
        index,
        code if isinstance(code, str) else "unknown",
        message if isinstance(message, str) else "",
    )
