"""Writing the audit log: who (a staff member, or an API token as ``api:<name>``) did
what to which victim's data.  Rows are only ever added."""
from __future__ import annotations

from models.db import session, utcnow
from models.staff import AuditLog


def record(who: str, action: str, subject: str, why: str | None = None, *, staff_id: int | None = None) -> None:
    """Add one row and commit."""
    db = session()
    db.add(AuditLog(at=utcnow(), staff_id=staff_id, staff_email=who[:254], action=action[:50],
                    subject=subject[:100], why=(why or None) and why[:500]))
    db.commit()


def api_actor(token_name: str) -> str:
    return f"api:{token_name}"
