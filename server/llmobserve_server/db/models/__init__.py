"""All tables. Importing this package registers every model on `Base.metadata`."""

from llmobserve_server.db.models.accounts import (
    Account,
    ApiKey,
    Membership,
    Session,
    SignInFailure,
    SignUpRefusal,
    User,
)
from llmobserve_server.db.models.anomalies import SpendAnomaly
from llmobserve_server.db.models.audit import AuditEvent
from llmobserve_server.db.models.billing import StripeEvent, UsageAlertSent, UsageMonthly
from llmobserve_server.db.models.budgets import Budget, BudgetCrossing, BudgetDelivery
from llmobserve_server.db.models.events import ModelPrice, Run, TraceEvent, UsageDaily, UsageHourly
from llmobserve_server.db.models.invitations import (
    EmailVerification,
    Invitation,
    PasswordResetToken,
)

__all__ = [
    "Account",
    "ApiKey",
    "AuditEvent",
    "Budget",
    "BudgetCrossing",
    "BudgetDelivery",
    "EmailVerification",
    "Invitation",
    "Membership",
    "ModelPrice",
    "PasswordResetToken",
    "Run",
    "Session",
    "SignInFailure",
    "SignUpRefusal",
    "SpendAnomaly",
    "StripeEvent",
    "TraceEvent",
    "UsageAlertSent",
    "UsageDaily",
    "UsageHourly",
    "UsageMonthly",
    "User",
]
