"""/onboarding: welcome → an API key, shown once → install instructions with the real key and
URL → a live connection test that turns green when the account's first event arrives.

Skippable at every step and reachable again from the sidebar ("Getting started"). The key's
plaintext is never stored: it reaches the key page through `web.reveal`'s one-time cookie, and
the install page through a hidden form field posted from the key page (and nowhere else).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.api_keys import create_api_key, find_active_key, list_api_keys
from llmobserve_server.analytics.activity import first_event
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.reveal import forget_key, stash_key, take_key
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/onboarding", include_in_schema=False)

ONBOARDING_KEY_NAME = "Onboarding key"
KEY_PAGE = "/onboarding/key"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    href: str


STEPS = (
    Step("welcome", "Welcome", "/onboarding"),
    Step("key", "API key", KEY_PAGE),
    Step("install", "Install", "/onboarding/install"),
    Step("test", "Test connection", "/onboarding/test"),
)


def collector_url(request: Request) -> str:
    """PUBLIC_URL when it is configured, else the address this page was requested at."""
    settings = request.app.state.settings
    if "public_url" in settings.model_fields_set:
        return str(settings.public_url)
    return str(request.base_url).rstrip("/")


def _page(request: Request, viewer: Viewer, step: str, **context: Any) -> HTMLResponse:
    return render(
        request, f"onboarding/{step}.html", viewer=viewer, steps=STEPS, step=step, **context
    )


@router.get("")
def welcome(request: Request, viewer: ViewerDep) -> HTMLResponse:
    return _page(request, viewer, "welcome")


@router.post("/key")
def create_onboarding_key(
    request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    created = create_api_key(
        db, account_id=viewer.account.id, created_by=viewer.user.id, name=ONBOARDING_KEY_NAME
    )
    db.commit()
    response = RedirectResponse(KEY_PAGE, status_code=303)
    stash_key(request, response, created.key, path=KEY_PAGE)
    return response


@router.get("/key")
def key_step(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    revealed = take_key(request, db, account_id=viewer.account.id)
    active = [k for k in list_api_keys(db, account_id=viewer.account.id) if k.revoked_at is None]
    response = _page(
        request,
        viewer,
        "key",
        revealed=revealed,
        existing=None if revealed else (active[0] if active else None),
    )
    forget_key(response, path=KEY_PAGE)
    return response


@router.post("/install")
def install_step_with_key(
    request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep
) -> HTMLResponse:
    key = form.get("key", "")
    if not find_active_key(db, account_id=viewer.account.id, key=key):
        key = ""
    return _page(request, viewer, "install", key=key, collector_url=collector_url(request))


@router.get("/install")
def install_step(request: Request, viewer: ViewerDep) -> HTMLResponse:
    return _page(request, viewer, "install", key="", collector_url=collector_url(request))


@router.get("/test")
def test_step(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    event = first_event(db, account_id=viewer.account.id)
    return _page(request, viewer, "test", event=event)


@router.get("/test/status")
def test_status(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    """The polled fragment: waiting (polls again in 2 s) or connected (stops polling)."""
    event = first_event(db, account_id=viewer.account.id)
    return render(request, "onboarding/_status.html", viewer=viewer, event=event)
