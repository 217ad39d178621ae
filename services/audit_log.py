"""Writing the audit log: who (a staff member, or an API token as ``api:<name>``) did
what to which victim's data.  Rows are only ever added."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from desk.redact import pseudonym
from models.db import session, utcnow
from models.staff import AuditLog


def record(who: str, action: str, subject: str, why: str | None = None, *, staff_id: int | None = None,
           phone: str | None = None, case_id: int | None = None, once_within: timedelta | None = None) -> None:
    """Add one row and commit.  PHONE (whose data it was) is kept as its pseudonym only.
    ONCE_WITHIN: not again if the same person did the same to the same subject that
    recently (a screen pop polled while the call rings is one view)."""
    db = session()
    at = utcnow()
    if once_within is not None and db.exec(
            select(AuditLog.id).where(AuditLog.staff_email == who[:254], AuditLog.action == action[:50],
                                      AuditLog.subject == subject[:100], AuditLog.at > at - once_within)
            .limit(1)).first() is not None:
        return
    db.add(AuditLog(at=at, staff_id=staff_id, staff_email=who[:254], action=action[:50],
                    subject=subject[:100], why=(why or None) and why[:500],
                    phone_pseudonym=pseudonym(phone) if phone else None, case_id=case_id))
    db.commit()


def api_actor(token_name: str) -> str:
    return f"api:{token_name}"
