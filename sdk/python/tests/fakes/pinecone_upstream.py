"""A fake Pinecone data plane for the real `pinecone` client: /query, /vectors/upsert,
/vectors/fetch and /vectors/delete, with `usage: {"readUnits": N}` on the reads, as the real API
reports it. Point an index client at it with `pc.Index(host=upstream.url)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fakes.http_upstream import FakeUpstream, JsonReply, Received


@dataclass(frozen=True)
class PineconeScenario:
    read_units: int | None = 6  # None: the response reports no usage
    fail_status: int | None = None
    fail_message: str = "Namespace not found"


class FakePinecone(FakeUpstream):
    def __init__(self) -> None:
        super().__init__()
        self.scenario = PineconeScenario()

    def answer(self, request: Received) -> JsonReply:
        s = self.scenario
        if s.fail_status is not None:
            return JsonReply({"code": 5, "message": s.fail_message}, status=s.fail_status)
        usage = {} if s.read_units is None else {"usage": {"readUnits": s.read_units}}
        body = request.body or {}
        if request.path == "/query":
            matches = [{"id": "doc-1", "score": 0.92, "values": []}]
            return JsonReply({"matches": matches, "namespace": body.get("namespace", ""), **usage})
        if request.path == "/vectors/upsert":
            return JsonReply({"upsertedCount": len(body.get("vectors", []))})
        if request.path == "/vectors/fetch":
            ids = request.query.get("ids", [])
            vectors: dict[str, Any] = {i: {"id": i, "values": [0.1, 0.2]} for i in ids}
            namespace = request.query.get("namespace", [""])[0]
            return JsonReply({"vectors": vectors, "namespace": namespace, **usage})
        if request.path == "/vectors/delete":
            return JsonReply({})
        return JsonReply({"code": 5, "message": f"no route {request.path}"}, status=404)
