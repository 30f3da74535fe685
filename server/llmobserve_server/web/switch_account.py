"""POST /switch-account: point the session at another account the user belongs to (the
account switcher in the sidebar's user menu)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.memberships import switch_account
from llmobserve_server.accounts.sessions import rotate_session
from llmobserve_server.cookies import set_session_cookie
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(include_in_schema=False)


@router.post("/switch-account", response_model=None)
def switch(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    """The session moves to the other account under a new id: what it may do has changed."""
    try:
        account_id = uuid.UUID(form.get("account_id", ""))
    except ValueError:
        account_id = uuid.UUID(int=0)
    account = switch_account(db, session=viewer.session, account_id=account_id)
    new = rotate_session(db, viewer.session, account_id=account.id)
    db.commit()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, new)
    set_flash(response, f"Switched to {account.name}.", "info")
    return response
