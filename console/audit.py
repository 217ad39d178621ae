"""The audit log: every view or export of a victim's data, every change made from the
console, and every login, failed login, lockout and logout is written here.  Rows are
only ever added."""
from __future__ import annotations

from datetime import timedelta

from console.auth import current_staff
from services.audit_log import record

# A screen pop shown again (reloaded, or polled back) within this is one view.
REPEAT_VIEW = timedelta(minutes=1)


def audit(action: str, subject: str, why: str | None = None, *, phone: str | None = None,
          case_id: int | None = None, once_within: timedelta | None = None) -> None:
    """Record that the logged-in staff member did ACTION to SUBJECT (e.g.
    "view_call", "call:123"), about PHONE's data and case CASE_ID if known, and commit."""
    user = current_staff()
    record(user.email if user else "anonymous", action, subject, why, staff_id=user.id if user else None,
           phone=phone, case_id=case_id, once_within=once_within)


def audit_as(email: str, staff_id: int | None, action: str, subject: str, why: str | None = None) -> None:
    """For the login page, where nobody is logged in yet: EMAIL is who tried."""
    record(email or "unknown", action, subject, why, staff_id=staff_id)
