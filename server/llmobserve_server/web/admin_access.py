"""Who may open the operator console: staff only, and nobody else may learn that it exists.

Every `/admin` URL (the console's routers add `StaffDep` to every route, and `admin.router`'s
catch-all covers the rest, any method) answers 404 to a signed-out browser and to a signed-in
user who is not staff: the same page as any address that does not exist. A staff user's forms
carry the session's CSRF token, checked after the staff check so that a non-staff POST gets
the 404 too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from llmobserve_server.accounts.tokens import digests_match
from llmobserve_server.http.deps import SystemDbDep
from llmobserve_server.web.csrf import CSRF_FIELD, CSRF_HEADER, Form, read_form
from llmobserve_server.web.viewer import Viewer, find_viewer


def not_found() -> HTTPException:
    return HTTPException(404)  # the detail "Not Found" renders as the ordinary 404 page


def require_staff(request: Request, db: SystemDbDep) -> Viewer:
    viewer = find_viewer(request, db)
    if viewer is None or not viewer.user.is_staff:
        raise not_found()
    return viewer


StaffDep = Annotated[Viewer, Depends(require_staff)]


def check_staff_form(
    request: Request, staff: StaffDep, form: Annotated[Form, Depends(read_form)]
) -> Form:
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    if not sent or not digests_match(staff.csrf_token, sent):
        raise HTTPException(
            403,
            "This form could not be accepted: it expired or did not come from this site. "
            "Go back, reload the page and try again.",
        )
    return form


StaffForm = Annotated[Form, Depends(check_staff_form)]
