"""/verify-email: the link emailed at sign-up confirms the address; `resend` sends a new one.

The token travels in the query string, which the access log never writes (and the log
redaction in `observability.redaction` would hide anyway).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts import email_verification
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.verification import queue_verification_email
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.redirects import safe_next
from llmobserve_server.web.viewer import ViewerDep, find_viewer

router = APIRouter(prefix="/verify-email", include_in_schema=False)


@router.get("", response_model=None)
def verify(request: Request, db: DbDep) -> Response:
    signed_in = find_viewer(request, db) is not None
    try:
        user = email_verification.verify_email(db, token=request.query_params.get("token", ""))
    except DomainError as exc:
        db.rollback()
        response = RedirectResponse("/settings/profile" if signed_in else "/sign-in", 303)
        set_flash(response, exc.message, "error")
        return response
    db.commit()
    response = RedirectResponse("/" if signed_in else "/sign-in", status_code=303)
    set_flash(
        response,
        f"{user.email} is confirmed. If you were invited to an account, open the invitation "
        "link again to join it.",
    )
    return response


@router.post("/resend", response_model=None)
def resend(
    request: Request,
    viewer: ViewerDep,
    form: SignedInForm,
    db: DbDep,
    background: BackgroundTasks,
) -> Response:
    response = RedirectResponse(safe_next(form.get("next"), default="/settings/profile"), 303)
    if viewer.user.email_verified_at is not None:
        set_flash(response, f"{viewer.user.email} is already confirmed.", "info")
    elif queue_verification_email(request, background, db, viewer.user):
        set_flash(response, f"A new confirmation link is on its way to {viewer.user.email}.")
    else:
        set_flash(response, "Several links were sent in the last hour: use the newest.", "error")
    return response
