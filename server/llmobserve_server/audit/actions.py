"""Every action the audit log records, with the words the page shows for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    tone: str = "neutral"  # the page's badge: neutral, success, warning, danger


ACTIONS: dict[str, Action] = {
    "sign_up": Action("Account created", "success"),
    "sign_in": Action("Signed in", "success"),
    "sign_in_failed": Action("Sign-in failed", "danger"),
    "sign_in_locked": Action("Sign-ins paused", "danger"),
    "sign_out": Action("Signed out"),
    "sessions_revoked": Action("Sessions signed out", "warning"),
    "password_changed": Action("Password changed", "warning"),
    "password_reset": Action("Password reset", "warning"),
    "email_changed": Action("Email changed", "warning"),
    "api_key_created": Action("API key created", "success"),
    "api_key_revoked": Action("API key revoked", "danger"),
    "member_invited": Action("Member invited"),
    "invitation_resent": Action("Invitation resent"),
    "invitation_revoked": Action("Invitation withdrawn", "warning"),
    "member_joined": Action("Member joined", "success"),
    "member_removed": Action("Member removed", "danger"),
    "member_left": Action("Member left", "warning"),
    "member_keys_revoked": Action("Departed member's API keys revoked", "danger"),
    "user_deleted": Action("Member deleted their user", "danger"),
    "role_changed": Action("Role changed", "warning"),
    "plan_changed": Action("Plan changed", "warning"),
    "account_disabled": Action("Account disabled by the operator", "danger"),
    "account_enabled": Action("Account enabled by the operator", "success"),
}


def action_label(action: str) -> str:
    known = ACTIONS.get(action)
    return known.label if known else action.replace("_", " ").capitalize()
