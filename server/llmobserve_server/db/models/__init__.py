"""All tables. Importing this package registers every model on `Base.metadata`."""

from llmobserve_server.db.models.accounts import (
    Account,
    ApiKey,
    Membership,
    Session,
    SignInFailure,
    User,
)
from llmobserve_server.db.models.events import ModelPrice, Run, TraceEvent, UsageHourly

__all__ = [
    "Account",
    "ApiKey",
    "Membership",
    "ModelPrice",
    "Run",
    "Session",
    "SignInFailure",
    "TraceEvent",
    "UsageHourly",
    "User",
]
