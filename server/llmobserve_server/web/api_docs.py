"""/docs: the API reference (Swagger UI over /openapi.json) from the package's own files.

FastAPI's built-in /docs and /redoc load Swagger UI and ReDoc from a CDN and start them with an
inline script, so they break offline and need a loose CSP. This page loads the vendored
`swagger-ui-dist` (scripts/vendor-web.sh) and `static/api-docs.js`, under the dashboard's
strict self-only CSP. Public, like /openapi.json.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", openapi_url=request.app.openapi_url)
