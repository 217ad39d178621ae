"""The audit log: every view or export of a victim's data, and every change made
from the console, is written here.  Rows are only ever added."""
from __future__ import annotations

from console.auth import current_staff
from models.db import session, utcnow
from models.staff import AuditLog


def audit(action: str, subject: str, why: str | None = None) -> None:
    """Record that the logged-in staff member did ACTION to SUBJECT (e.g.
    "view_call", "call:123"), and commit."""
    user = current_staff()
    db = session()
    db.add(AuditLog(at=utcnow(), staff_id=user.id if user else None,
                    staff_email=user.email if user else "anonymous",
                    action=action[:50], subject=subject[:100], why=(why or None) and why[:500]))
    db.commit()
