"""POST /v1/team/leave: the signed-in user leaves the session's account (the JSON twin of the
team page's Leave button). The API keys they created in it are revoked with it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from llmobserve_server.accounts.memberships import (
    audit_revoked_keys,
    leave,
    primary_account_after_leaving,
)
from llmobserve_server.accounts.sessions import rotate_session
from llmobserve_server.api.deps import SessionCaller
from llmobserve_server.audit import record
from llmobserve_server.cookies import set_session_cookie
from llmobserve_server.db.models import User
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep

router = APIRouter(prefix="/v1/team", tags=["team"])


class LeftOut(BaseModel):
    left_account_id: str
    account_id: str = Field(description="The account the session is now in.")
    revoked_api_keys: int = Field(description="Keys you created in the account you left.")


@router.post("/leave", response_model=LeftOut)
def leave_endpoint(
    request: Request, response: Response, caller: SessionCaller, db: DbDep
) -> LeftOut:
    """Leave this account. 409 `last_owner` for its last owner, 409 `only_account` for your
    only account. The session moves to your oldest other account (with a new cookie)."""
    assert caller.session is not None and caller.user_id is not None
    left = caller.account_id
    departure = leave(db, account_id=left, user_id=caller.user_id)
    user = db.get(User, caller.user_id)
    actor = request_actor(request, user)
    record(db, account_id=left, action="member_left", actor=actor, target=departure.user.email)
    audit_revoked_keys(db, account_id=left, actor=actor, departure=departure)
    moved_to = primary_account_after_leaving(db, user_id=caller.user_id)
    new = rotate_session(db, caller.session, account_id=moved_to)
    db.commit()
    set_session_cookie(request, response, new)
    return LeftOut(
        left_account_id=str(left),
        account_id=str(moved_to),
        revoked_api_keys=len(departure.revoked_keys),
    )
