"""/settings/api-keys: create (the full key shown once, with Copy), list, revoke."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.api_keys import (
    create_api_key,
    creators_of,
    list_api_keys,
    revoke_api_key,
)
from llmobserve_server.audit import record
from llmobserve_server.audit.targets import describe_key
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.reveal import forget_key, stash_key, take_key
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(prefix="/settings/api-keys", include_in_schema=False)

PAGE = "/settings/api-keys"
MAX_NAME = 100


def _page(
    request: Request,
    viewer: ViewerDep,
    db: DbDep,
    *,
    name: str = "",
    error: str = "",
) -> HTMLResponse:
    revealed = take_key(request, db, account_id=viewer.account.id)
    keys = list_api_keys(db, account_id=viewer.account.id)
    response = render(
        request,
        "settings/api_keys.html",
        viewer=viewer,
        keys=keys,
        creators=creators_of(db, keys),
        revealed=revealed,
        values={"name": name},
        errors={"name": error} if error else {},
    )
    forget_key(response, path=PAGE)
    return response


@router.get("")
def api_keys_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    return _page(request, viewer, db)


@router.post("", response_model=None)
def create_key(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    name = form.get("name", "").strip()
    if not name or len(name) > MAX_NAME:
        error = f"Give the key a name of 1 to {MAX_NAME} characters, e.g. “production”."
        return _page(request, viewer, db, name=name, error=error)
    created = create_api_key(db, account_id=viewer.account.id, created_by=viewer.user.id, name=name)
    record(
        db,
        account_id=viewer.account.id,
        action="api_key_created",
        actor=request_actor(request, viewer.user),
        target=describe_key(created.api_key),
    )
    db.commit()
    response = RedirectResponse(PAGE, status_code=303)
    stash_key(request, response, created.key, path=PAGE)
    return response


@router.post("/{key_id}/revoke", response_model=None)
def revoke_key(
    key_id: uuid.UUID, request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    revocation = revoke_api_key(db, account_id=viewer.account.id, key_id=key_id)
    if revocation.changed:
        record(
            db,
            account_id=viewer.account.id,
            action="api_key_revoked",
            actor=request_actor(request, viewer.user),
            target=describe_key(revocation.api_key),
        )
        db.commit()
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(
        response,
        f"API key “{revocation.api_key.name}” revoked. Apps using it can no longer send events.",
    )
    return response
