"""/static: the package's CSS, JS and vendored files, under versioned URLs cached for a year.

Templates write `{{ static('app.css') }}`, which becomes `/static/app.css?v=<sha256 prefix>`; a
changed file gets a new URL, so browsers can keep every version forever.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
_FOREVER = "public, max-age=31536000, immutable"
_REVALIDATE = "public, max-age=0, must-revalidate"


@cache
def static_url(path: str) -> str:
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


class VersionedStaticFiles(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache_control = _FOREVER if b"v=" in scope.get("query_string", b"") else _REVALIDATE

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", cache_control.encode()),
                ]
            await send(message)

        await super().__call__(scope, receive, send_with_cache)


def static_files() -> VersionedStaticFiles:
    return VersionedStaticFiles(directory=STATIC_DIR)
