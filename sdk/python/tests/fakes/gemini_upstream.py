"""A fake Gemini API, enough of it for the real `google-genai` client: `:generateContent`,
`:streamGenerateContent?alt=sse` and `:batchEmbedContents` under /v1beta/models/, with the
documented response shapes (camelCase JSON, `usageMetadata`, `modelVersion`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakes.http_upstream import FakeUpstream, JsonReply, Received, SseReply, sse


@dataclass(frozen=True)
class GeminiScenario:
    model_version: str = "gemini-2.0-flash-001"
    prompt_tokens: int = 120
    cached_tokens: int = 0
    candidates_tokens: int = 9
    thoughts_tokens: int = 0
    pieces: tuple[str, ...] = ("Hello", " there", "!")
    fail_status: int | None = None


class FakeGemini(FakeUpstream):
    def __init__(self) -> None:
        super().__init__()
        self.scenario = GeminiScenario()

    def usage(self, candidates: int) -> dict[str, Any]:
        s = self.scenario
        usage: dict[str, Any] = {
            "promptTokenCount": s.prompt_tokens,
            "candidatesTokenCount": candidates,
            "totalTokenCount": s.prompt_tokens + candidates + s.thoughts_tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": s.prompt_tokens}],
        }
        if s.cached_tokens:
            usage["cachedContentTokenCount"] = s.cached_tokens
        if s.thoughts_tokens:
            usage["thoughtsTokenCount"] = s.thoughts_tokens
        return usage

    def answer(self, request: Received) -> JsonReply | SseReply:
        s = self.scenario
        if s.fail_status is not None:
            error = {
                "code": s.fail_status,
                "message": "Resource exhausted.",
                "status": "RESOURCE_EXHAUSTED",
            }
            return JsonReply({"error": error}, status=s.fail_status)
        action = request.path.rsplit(":", 1)[-1]
        if action == "generateContent":
            return JsonReply(self._response("".join(s.pieces), s.candidates_tokens, "STOP"))
        if action == "streamGenerateContent":
            chunks = [
                self._response(
                    piece,
                    s.candidates_tokens * (i + 1) // len(s.pieces),
                    "STOP" if i == len(s.pieces) - 1 else None,
                )
                for i, piece in enumerate(s.pieces)
            ]
            return SseReply([sse(chunk) for chunk in chunks])
        if action == "batchEmbedContents":
            count = len((request.body or {}).get("requests", []))
            return JsonReply({"embeddings": [{"values": [0.25, -0.5, 0.125]}] * count})
        return JsonReply({"error": {"code": 404, "message": request.path}}, status=404)

    def _response(self, text: str, candidates: int, finish: str | None) -> dict[str, Any]:
        candidate: dict[str, Any] = {
            "content": {"parts": [{"text": text}], "role": "model"},
            "index": 0,
        }
        if finish:
            candidate["finishReason"] = finish
        return {
            "candidates": [candidate],
            "usageMetadata": self.usage(candidates),
            "modelVersion": self.scenario.model_version,
            "responseId": "fake-response",
        }
