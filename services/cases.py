"""Updates on a victim's case, from the case system's API or an agent in the console."""
from __future__ import annotations

from sqlmodel import Session

from models.cases import Case, CaseUpdate
from models.db import utcnow
from services import case_updates
from services.case_updates import TextOutcome


def add_update(db: Session, case: Case, message: str, status: str | None = None) -> tuple[CaseUpdate, TextOutcome]:
    """Record an update on CASE, queue its text to the victim where they said texts are
    safe (in the same transaction, so both or neither happen), and commit.  The update,
    and whether it was texted (or why not)."""
    update = CaseUpdate(case_id=case.id, message=message, status=status)
    if status:
        case.status = status
    case.updated_at = utcnow()
    db.add_all([update, case])
    db.flush()
    texted = case_updates.text_victim(db, case, update)
    db.commit()
    return update, texted
