"""Sending a confirmation link, which sign-up (page and API), the profile page and the API's
resend all do."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from llmobserve_server.accounts import email_verification
from llmobserve_server.db.models import User
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.links import public_base_url
from llmobserve_server.mail import deliver


def queue_verification_email(
    request: Request, background: BackgroundTasks, db: DbDep, user: User
) -> bool:
    """Issue a link for `user` and send it after the response (commits). False when none was
    issued: the address is verified already, or links were sent too often lately."""
    issued = email_verification.issue_verification(db, user=user)
    db.commit()
    if issued is None:
        return False
    email = email_verification.verification_email(issued, base_url=public_base_url(request))
    background.add_task(deliver, request.app.state.settings, email)
    return True
