"""Who is looking at a page: the signed-in user, their account and session.

    @router.get("/runs")
    def runs_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse: ...

A signed-out browser is sent to `/sign-in?next=<this page>` (303) instead, or to `/sign-up`
while the server has no user at all (a fresh install: nobody to welcome back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.memberships import AccountChoice, accounts_of
from llmobserve_server.accounts.sessions import SESSION_COOKIE, find_active_session
from llmobserve_server.db.models import Account, Session, User
from llmobserve_server.http.deps import DbDep, session_lifetime
from llmobserve_server.web.redirects import path_with_query


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str, *, first_visit: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.first_visit = first_visit  # no user exists yet: sign up, not sign in


@dataclass(frozen=True)
class Viewer:
    user: User
    account: Account
    session: Session
    role: str = "member"  # in `account`: "owner" or "member"
    accounts: tuple[AccountChoice, ...] = ()  # every account the user belongs to (switcher)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def find_viewer(request: Request, db: DbSession) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE)
    session = find_active_session(db, token, session_lifetime(request)) if token else None
    if session is None:
        return None
    user = db.get(User, session.user_id)
    account = db.get(Account, session.account_id)
    if user is None or account is None:
        return None
    accounts = tuple(accounts_of(db, user_id=user.id))
    role = next((choice.role for choice in accounts if choice.id == account.id), None)
    if role is None:  # removed from the account since the session started
        return None
    return Viewer(user=user, account=account, session=session, role=role, accounts=accounts)


def any_user_exists(db: DbSession) -> bool:
    return db.scalar(select(User.id).limit(1)) is not None


def require_viewer(request: Request, db: DbDep) -> Viewer:
    viewer = find_viewer(request, db)
    if viewer is None:
        next_path = path_with_query(request) if request.method == "GET" else "/"
        raise SignInRequired(next_path, first_visit=not any_user_exists(db))
    return viewer


ViewerDep = Annotated[Viewer, Depends(require_viewer)]
