"""Rendering pages: one Jinja environment (autoescaped, strict about undefined names) and
`render`, which gives every template the layout's context.

    return render(request, "pages/runs.html", viewer=viewer, runs=runs)

Templates see `viewer` (None when signed out), `csrf_token`, `nav`, `path`, `flash`,
`static(path)`, `is_htmx` and the filters of `web.filters`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from llmobserve_server.web.filters import FILTERS
from llmobserve_server.web.flash import Flash, take_flash
from llmobserve_server.web.nav import navigation_for
from llmobserve_server.web.security import page_headers
from llmobserve_server.web.static import static_url
from llmobserve_server.web.viewer import Viewer

TEMPLATES_DIR = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(FILTERS)
environment.globals["static"] = static_url


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    csrf_token: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template as an HTML response with security headers. A full page (not an htmx
    fragment) also shows, and clears, the flash message left by the previous request."""
    htmx = is_htmx(request)
    flash: Flash | None = None if htmx else take_flash(request)
    html = environment.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf_token=csrf_token or (viewer.csrf_token if viewer else ""),
        nav=navigation_for(bool(viewer and viewer.user.is_staff)),
        path=request.url.path,
        flash=flash,
        is_htmx=htmx,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers={**page_headers(), **(headers or {})})
    if flash is not None:
        flash.clear(response)
    return response
