"""/v1/api-keys: create (the full key is returned once), list, revoke. Needs a signed-in session."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from llmobserve_server.accounts.api_keys import (
    create_api_key,
    creators_of,
    list_api_keys,
    revoke_api_key,
)
from llmobserve_server.api.deps import Caller, SessionCaller
from llmobserve_server.api.text import WITHOUT_NUL
from llmobserve_server.audit import record
from llmobserve_server.audit.targets import describe_key
from llmobserve_server.db.models import ApiKey, User
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


class ApiKeyIn(BaseModel):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), WITHOUT_NUL
    ]


class KeyCreatorOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, e.g. `llmo_sk_AbCd`.")
    last4: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_by: KeyCreatorOut | None = Field(
        description="Who created the key; null for keys made before creators were recorded or "
        "by a deleted user. A member's keys are revoked when they leave or are removed."
    )

    @classmethod
    def of(cls, api_key: ApiKey, creator: User | None) -> ApiKeyOut:
        return cls(
            id=api_key.id,
            name=api_key.name,
            prefix=api_key.key_prefix,
            last4=api_key.key_last4,
            created_at=api_key.created_at,
            last_used_at=api_key.last_used_at,
            revoked_at=api_key.revoked_at,
            created_by=KeyCreatorOut(id=creator.id, email=creator.email, name=creator.name)
            if creator is not None
            else None,
        )


class CreatedApiKeyOut(ApiKeyOut):
    key: str = Field(description="The full key. Shown only in this response; store it now.")


class ApiKeyListOut(BaseModel):
    api_keys: list[ApiKeyOut]


@router.post("", status_code=201, response_model=CreatedApiKeyOut)
def create_key(
    body: ApiKeyIn, request: Request, caller: SessionCaller, db: DbDep
) -> CreatedApiKeyOut:
    created = create_api_key(
        db, account_id=caller.account_id, created_by=caller.user_id, name=body.name
    )
    _audit(db, request, caller, "api_key_created", created.api_key)
    db.commit()
    creator = db.get(User, caller.user_id) if caller.user_id else None
    return CreatedApiKeyOut(**ApiKeyOut.of(created.api_key, creator).model_dump(), key=created.key)


@router.get("", response_model=ApiKeyListOut)
def list_keys(caller: SessionCaller, db: DbDep) -> ApiKeyListOut:
    keys = list_api_keys(db, account_id=caller.account_id)
    creators = creators_of(db, keys)
    return ApiKeyListOut(api_keys=[ApiKeyOut.of(k, _creator(creators, k)) for k in keys])


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: uuid.UUID, request: Request, caller: SessionCaller, db: DbDep) -> Response:
    revocation = revoke_api_key(db, account_id=caller.account_id, key_id=key_id)
    if revocation.changed:
        _audit(db, request, caller, "api_key_revoked", revocation.api_key)
        db.commit()
    return Response(status_code=204)


def _creator(creators: dict[uuid.UUID, User], api_key: ApiKey) -> User | None:
    return creators.get(api_key.created_by) if api_key.created_by else None


def _audit(db: DbDep, request: Request, caller: Caller, action: str, api_key: ApiKey) -> None:
    user = db.get(User, caller.user_id) if caller.user_id else None
    record(
        db,
        account_id=caller.account_id,
        action=action,
        actor=request_actor(request, user),
        target=describe_key(api_key),
    )
