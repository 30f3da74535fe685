"""The audit log: who did what to an account, when and from which IP.

    record(db, account_id=account.id, action="api_key_created", actor=actor, target="prod")
    record_for_user(db, user_id=user.id, action="password_changed", actor=actor)
    page = list_events(db, account_id=account.id, filters=AuditFilter(action="sign_in"))

Rows are added to the caller's transaction, so an action and its audit row are committed (or
rolled back) together. Owners read the log at /settings/audit; it is kept as long as the plan
keeps events (jobs/retention.py). Nothing secret goes into a row: no password, key or token.
"""

from llmobserve_server.audit.actions import ACTIONS, action_label
from llmobserve_server.audit.query import AuditFilter, AuditPage, list_events
from llmobserve_server.audit.record import CLI, STRIPE, Actor, record, record_for_user

__all__ = [
    "ACTIONS",
    "CLI",
    "STRIPE",
    "Actor",
    "AuditFilter",
    "AuditPage",
    "action_label",
    "list_events",
    "record",
    "record_for_user",
]
