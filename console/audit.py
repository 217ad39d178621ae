"""The audit log: every view or export of a victim's data, and every change made
from the console, is written here.  Rows are only ever added."""
from __future__ import annotations

from console.auth import current_staff
from services.audit_log import record


def audit(action: str, subject: str, why: str | None = None) -> None:
    """Record that the logged-in staff member did ACTION to SUBJECT (e.g.
    "view_call", "call:123"), and commit."""
    user = current_staff()
    record(user.email if user else "anonymous", action, subject, why, staff_id=user.id if user else None)
