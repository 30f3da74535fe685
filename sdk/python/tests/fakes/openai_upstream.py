"""A fake OpenAI API, enough of it for the real `openai` client: /v1/chat/completions,
/v1/completions, /v1/embeddings and /v1/responses, as JSON and as server-sent events.

What it answers is set with `upstream.scenario = OpenAIScenario(...)`: the model it reports (by
default the dated snapshot of the requested alias, as the real API does), the usage, an HTTP
error, a stream cut off or failing mid-way. Streamed chat completions and completions end with a
usage-only chunk only when the request asks for it (`stream_options.include_usage`); their JSON
is spaced (`json.dumps`' default) unless the scenario asks for the API's compact JSON.
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from typing import Any

from fakes.http_upstream import FakeUpstream, JsonReply, Received, SseReply, sse

SNAPSHOTS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "o3-mini": "o3-mini-2025-01-31",
}
CREATED = 1_730_000_000
ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_api_key", 429: "rate_limit_exceeded"}


@dataclass(frozen=True)
class OpenAIScenario:
    model: str | None = None  # the model reported; None: SNAPSHOTS[requested] or the requested
    input_tokens: int = 21
    cached_tokens: int = 0
    output_tokens: int = 3
    reasoning_tokens: int = 0
    pieces: tuple[str, ...] = ("Hello", " there", "!")
    fail_status: int | None = None  # answer every request with this HTTP error
    fail_message: str = "Rate limit reached for gpt-4o-mini in organization org-fake"
    abort_after: int | None = None  # streams: drop the connection after this many events
    error_after: int | None = None  # chat streams: an error event after this many chunks
    response_failure: str | None = None  # response streams: end with response.failed, this error
    compact_json: bool = False  # chat/completion streams: `{"a":1}` as the API, not `{"a": 1}`
    usage_on_last_choice: bool = False  # include_usage: on the finish chunk, no usage-only chunk
    # OpenAI-compatible servers: a 400 to any request with `stream_options` (some refuse fields
    # they do not know); stream usage sent unasked ("finish": on the finish chunk, as Mistral
    # does; "chunk": in a usage-only chunk, as OpenRouter does; None: only when asked)
    refuses_stream_options: bool = False
    unasked_stream_usage: str | None = None
    cost: float | None = None  # OpenRouter: `usage.cost`, what the call cost in USD
    no_usage: bool = False  # complete answers without a `usage` (some compatible servers)
    input_audio_tokens: int = 0  # parts of input_tokens / output_tokens, as the API counts
    output_audio_tokens: int = 0
    service_tier: str | None = None  # the answer's service_tier ("default", "flex", ...)
    web_search_calls: int = 0  # responses: web_search_call items in the output


class FakeOpenAI(FakeUpstream):
    def __init__(self) -> None:
        super().__init__()
        self.scenario = OpenAIScenario()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def answer(self, request: Received) -> JsonReply | SseReply:
        s = self.scenario
        if s.fail_status is not None:
            kind = ERROR_TYPES.get(s.fail_status, "server_error")
            error = {"message": s.fail_message, "type": kind, "param": None, "code": kind}
            return JsonReply({"error": error}, status=s.fail_status)
        body = request.body or {}
        if s.refuses_stream_options and "stream_options" in body:
            error = {
                "message": "Unrecognized request argument supplied: stream_options",
                "type": "invalid_request_error",
                "param": "stream_options",
                "code": None,
            }
            return JsonReply({"error": error}, status=400)
        model = SNAPSHOTS.get(body.get("model"), body.get("model")) if s.model is None else s.model
        routes = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completion,
            "/v1/embeddings": self._embedding,
            "/v1/responses": self._response,
        }
        path = request.path
        if path.startswith("/openai/deployments/"):  # Azure: /openai/deployments/{name}/...
            path = "/v1/" + path.split("/", 4)[4]
        route = routes.get(path) or next(  # a compatible API's own prefix: /v1beta/openai/...
            (r for known, r in routes.items() if path.endswith(known.removeprefix("/v1"))), None
        )
        if route is None:
            return JsonReply({"error": {"message": f"no route {request.path}"}}, status=404)
        return route(body, model)

    # -- chat completions and completions -----------------------------------------------------

    def usage(self) -> dict[str, Any] | None:
        s = self.scenario
        if s.no_usage:
            return None
        cost = {} if s.cost is None else {"cost": s.cost}
        return {
            **cost,
            "prompt_tokens": s.input_tokens,
            "completion_tokens": s.output_tokens,
            "total_tokens": s.input_tokens + s.output_tokens,
            "prompt_tokens_details": {
                "cached_tokens": s.cached_tokens,
                "audio_tokens": s.input_audio_tokens,
            },
            "completion_tokens_details": {
                "reasoning_tokens": s.reasoning_tokens,
                "audio_tokens": s.output_audio_tokens,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def _chat(self, body: dict[str, Any], model: str) -> JsonReply | SseReply:
        head = {"id": "chatcmpl-fake", "created": CREATED, "model": model}
        if self.scenario.service_tier is not None:
            head["service_tier"] = self.scenario.service_tier
        if not body.get("stream"):
            message = {"role": "assistant", "content": "".join(self.scenario.pieces)}
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
            return JsonReply(
                {**head, "object": "chat.completion", "choices": [choice], "usage": self.usage()}
            )
        deltas = [{"role": "assistant", "content": ""}]
        deltas += [{"content": piece} for piece in self.scenario.pieces]
        choices = [
            [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}]
            for delta in deltas
        ]
        choices.append([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}])
        return self._chunks(body, {**head, "object": "chat.completion.chunk"}, choices)

    def _completion(self, body: dict[str, Any], model: str) -> JsonReply | SseReply:
        head = {"id": "cmpl-fake", "object": "text_completion", "created": CREATED, "model": model}
        if not body.get("stream"):
            text = "".join(self.scenario.pieces)
            choice = {"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}
            return JsonReply({**head, "choices": [choice], "usage": self.usage()})
        choices = [
            [{"text": piece, "index": 0, "logprobs": None, "finish_reason": None}]
            for piece in self.scenario.pieces
        ]
        choices.append([{"text": "", "index": 0, "logprobs": None, "finish_reason": "stop"}])
        return self._chunks(body, head, choices)

    def _chunks(
        self, body: dict[str, Any], head: dict[str, Any], choices: list[list[dict[str, Any]]]
    ) -> SseReply:
        s = self.scenario
        with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        extra = {"usage": None} if with_usage else {}
        chunks = [{**head, "choices": c, **extra} for c in choices]
        if (with_usage and s.usage_on_last_choice) or s.unasked_stream_usage == "finish":
            chunks[-1]["usage"] = self.usage()
        elif with_usage or s.unasked_stream_usage == "chunk":
            chunks.append({**head, "choices": [], "usage": self.usage()})
        separators = (",", ":") if s.compact_json else None
        events = [sse(json.dumps(chunk, separators=separators)) for chunk in chunks]
        if s.error_after is not None:
            error = {"message": "The server had an error while processing your request."}
            events[s.error_after :] = [sse({"error": {**error, "type": "server_error"}})]
        events.append(sse("[DONE]"))
        return SseReply(events, abort_after=s.abort_after)

    # -- embeddings ---------------------------------------------------------------------------

    def _embedding(self, body: dict[str, Any], model: str) -> JsonReply:
        inputs = body.get("input")
        count = len(inputs) if isinstance(inputs, list) else 1
        vector = [0.25, -0.5, 0.125]
        if body.get("encoding_format") == "base64":
            encoded: Any = base64.b64encode(struct.pack("<3f", *vector)).decode()
        else:
            encoded = vector
        data = [{"object": "embedding", "index": i, "embedding": encoded} for i in range(count)]
        usage = {"prompt_tokens": self.scenario.input_tokens}
        usage["total_tokens"] = usage["prompt_tokens"]
        return JsonReply({"object": "list", "data": data, "model": model, "usage": usage})

    # -- responses ----------------------------------------------------------------------------

    def response_usage(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "input_tokens": s.input_tokens,
            "input_tokens_details": {"cached_tokens": s.cached_tokens, "cache_write_tokens": 0},
            "output_tokens": s.output_tokens,
            "output_tokens_details": {"reasoning_tokens": s.reasoning_tokens},
            "total_tokens": s.input_tokens + s.output_tokens,
        }

    def _response_object(self, model: str, *, done: bool) -> dict[str, Any]:
        text = "".join(self.scenario.pieces)
        part = {"type": "output_text", "text": text, "annotations": []}
        message = {
            "type": "message",
            "id": "msg_fake",
            "status": "completed",
            "role": "assistant",
            "content": [part],
        }
        searches = [
            {"type": "web_search_call", "id": f"ws_{n}", "status": "completed"}
            for n in range(self.scenario.web_search_calls)
        ]
        tier = (
            {}
            if self.scenario.service_tier is None
            else {"service_tier": self.scenario.service_tier}
        )
        return {
            **tier,
            "id": "resp_fake",
            "object": "response",
            "created_at": CREATED,
            "status": "completed" if done else "in_progress",
            "model": model,
            "output": [*searches, message] if done else [],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": self.response_usage() if done else None,
        }

    def _final_event(self, model: str) -> dict[str, Any]:
        response = self._response_object(model, done=True)
        failure = self.scenario.response_failure
        if failure is None:
            return {"type": "response.completed", "response": response}
        error = {"code": "server_error", "message": failure}
        return {
            "type": "response.failed",
            "response": {**response, "status": "failed", "error": error},
        }

    def _response(self, body: dict[str, Any], model: str) -> JsonReply | SseReply:
        if not body.get("stream"):
            return JsonReply(self._response_object(model, done=True))
        text = "".join(self.scenario.pieces)
        where = {"item_id": "msg_fake", "output_index": 0, "content_index": 0}
        part = {"type": "output_text", "text": "", "annotations": []}
        message = {**self._response_object(model, done=True)["output"][-1]}
        steps: list[dict[str, Any]] = [
            {"type": "response.created", "response": self._response_object(model, done=False)},
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {**message, "status": "in_progress", "content": []},
            },
            {"type": "response.content_part.added", **where, "part": part},
        ]
        steps += [
            {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []}
            for piece in self.scenario.pieces
        ]
        steps += [
            {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
            {"type": "response.content_part.done", **where, "part": {**part, "text": text}},
            {"type": "response.output_item.done", "output_index": 0, "item": message},
            self._final_event(model),
        ]
        for number, step in enumerate(steps):
            step["sequence_number"] = number
        events = [sse(step, event=step["type"]) for step in steps]
        return SseReply(events, abort_after=self.scenario.abort_after)
