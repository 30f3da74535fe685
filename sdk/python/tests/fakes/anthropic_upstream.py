"""A fake Anthropic API for the real `anthropic` client: POST /v1/messages as JSON and as
server-sent events (message_start, content_block_start/delta/stop, message_delta with the
usage, message_stop).

Set what it answers with `upstream.scenario = AnthropicScenario(...)`. Its usage is in
Anthropic's meaning: `input_tokens` EXCLUDES the cache reads and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fakes.http_upstream import FakeUpstream, JsonReply, Received, SseReply, sse

SNAPSHOTS = {
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-sonnet-4-6": "claude-sonnet-4-6-20260217",
}
ERROR_TYPES = {400: "invalid_request_error", 429: "rate_limit_error", 529: "overloaded_error"}


@dataclass(frozen=True)
class AnthropicScenario:
    model: str | None = None  # the model reported; None: SNAPSHOTS[requested] or the requested
    input_tokens: int = 14  # uncached input only, as Anthropic counts
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    output_tokens: int = 4
    cache_creation_1h_input_tokens: int = 0  # the 1-hour part of cache_creation_input_tokens
    web_search_requests: int = 0
    service_tier: str = "standard"
    batch_requests: int = 3  # message batches: the results' lines
    batch_errors: int = 0  # of which errored
    pieces: tuple[str, ...] = ("Hello", " there", "!")
    fail_status: int | None = None
    fail_message: str = "Number of request tokens has exceeded your per-minute rate limit"
    abort_after: int | None = None  # streams: drop the connection after this many events
    error_after: int | None = None  # streams: an `error` event after this many events


class FakeAnthropic(FakeUpstream):
    def __init__(self) -> None:
        super().__init__()
        self.scenario = AnthropicScenario()

    def answer(self, request: Received) -> JsonReply | SseReply:
        s = self.scenario
        if s.fail_status is not None:
            error = {"type": ERROR_TYPES.get(s.fail_status, "api_error"), "message": s.fail_message}
            return JsonReply({"type": "error", "error": error}, status=s.fail_status)
        if request.path.startswith("/v1/messages/batches/"):
            return self._batch(request.path.removeprefix("/v1/messages/batches/"))
        if request.path != "/v1/messages":
            return JsonReply({"type": "error", "error": {"type": "not_found_error"}}, status=404)
        body = request.body or {}
        model = SNAPSHOTS.get(body.get("model"), body.get("model")) if s.model is None else s.model
        if body.get("stream"):
            return self._stream(model)
        return JsonReply(self._message(model, content=["".join(s.pieces)], done=True))

    def _batch(self, rest: str) -> JsonReply | SseReply:
        """GET /v1/messages/batches/{id} (ended, with its results_url) and .../results: one JSON
        line per request, the first `batch_errors` of `batch_requests` errored."""
        s = self.scenario
        batch_id, _, tail = rest.partition("/")
        if tail != "results":
            return JsonReply(
                {
                    "id": batch_id,
                    "type": "message_batch",
                    "processing_status": "ended",
                    "request_counts": {
                        "processing": 0,
                        "succeeded": s.batch_requests - s.batch_errors,
                        "errored": s.batch_errors,
                        "canceled": 0,
                        "expired": 0,
                    },
                    "ended_at": "2026-12-07T04:00:00Z",
                    "created_at": "2026-12-07T03:00:00Z",
                    "expires_at": "2026-12-08T03:00:00Z",
                    "archived_at": None,
                    "cancel_initiated_at": None,
                    "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results",
                }
            )
        model = (
            SNAPSHOTS.get("claude-haiku-4-5", "claude-haiku-4-5") if s.model is None else s.model
        )
        lines = []
        for n in range(s.batch_requests):
            if n < s.batch_errors:
                error = {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": "x"},
                }
                result: dict[str, Any] = {"type": "errored", "error": error}
            else:
                message = self._message(model, content=["".join(s.pieces)], done=True)
                result = {"type": "succeeded", "message": message}
            lines.append(json.dumps({"custom_id": f"request-{n}", "result": result}) + "\n")
        return SseReply(lines)

    def usage(self, *, done: bool) -> dict[str, Any]:
        s = self.scenario
        return {
            "input_tokens": s.input_tokens,
            "cache_creation_input_tokens": s.cache_creation_input_tokens,
            "cache_read_input_tokens": s.cache_read_input_tokens,
            "output_tokens": s.output_tokens if done else 1,
            "cache_creation": {
                "ephemeral_5m_input_tokens": s.cache_creation_input_tokens
                - s.cache_creation_1h_input_tokens,
                "ephemeral_1h_input_tokens": s.cache_creation_1h_input_tokens,
            },
            "server_tool_use": {"web_search_requests": s.web_search_requests},
            "service_tier": s.service_tier,
        }

    def _message(self, model: str, *, content: list[str], done: bool) -> dict[str, Any]:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text} for text in content],
            "stop_reason": "end_turn" if done else None,
            "stop_sequence": None,
            "usage": self.usage(done=done),
        }

    def _stream(self, model: str) -> SseReply:
        s = self.scenario
        steps: list[dict[str, Any]] = [
            {"type": "message_start", "message": self._message(model, content=[], done=False)},
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            {"type": "ping"},
        ]
        steps += [
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
            for p in s.pieces
        ]
        steps += [
            {"type": "content_block_stop", "index": 0},
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": s.output_tokens},
            },
            {"type": "message_stop"},
        ]
        events = [sse(step, event=step["type"]) for step in steps]
        if s.error_after is not None:
            error = {
                "type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"},
            }
            events[s.error_after :] = [sse(error, event="error")]
        return SseReply(events, abort_after=s.abort_after)
