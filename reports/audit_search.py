"""Searching the audit log: "who looked at this victim?"

By phone number: entries carry the number's keyed pseudonym (never the number), so
the search hashes the number it is given, under the current LOG_HASH_KEY and the one
before a rotation (desk/redact.py); entries written before pseudonyms were kept are
found through the calls and callbacks from that number that still exist.  By case:
the case's own entries and every view verified on it.  By staff member and London
dates.  Newest first, a page at a time (keyset, desk/keyset.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from desk import keyset
from desk.redact import pseudonyms
from models.callbacks import CallbackRequest
from models.calls import Call
from models.cases import Case, reference_key
from models.staff import AuditLog
from reports.london import DayRange

# Calls and callbacks looked up to match entries from before pseudonyms were kept.
OLD_SUBJECTS_LIMIT = 1000


@dataclass
class AuditFilters:
    phone: str | None = None  # E.164
    case: Case | None = None
    staff: str | None = None  # an email, lower case
    subject: str | None = None  # exactly, e.g. call:123
    days: DayRange | None = None


def find_case(db: Session, text: str) -> Case | None:
    """A case by its crime reference (as typed) or its number in the console (case:12)."""
    if text.lower().startswith("case:") and text[5:].isdigit():
        return db.get(Case, int(text[5:]))
    return db.exec(select(Case).where(Case.reference_key == reference_key(text))).first()


def _phone_condition(db: Session, phone: str):
    calls = db.exec(select(Call.id).where(Call.caller == phone).limit(OLD_SUBJECTS_LIMIT)).all()
    callbacks = db.exec(select(CallbackRequest.id).where(CallbackRequest.phone == phone)
                        .limit(OLD_SUBJECTS_LIMIT)).all()
    subjects = [f"call:{i}" for i in calls] + [f"callback:{i}" for i in callbacks]
    condition = AuditLog.phone_pseudonym.in_(pseudonyms(phone))
    return or_(condition, AuditLog.subject.in_(subjects)) if subjects else condition


def query(db: Session, filters: AuditFilters):
    q = select(AuditLog)
    if filters.phone:
        q = q.where(_phone_condition(db, filters.phone))
    if filters.case is not None:
        q = q.where(or_(AuditLog.case_id == filters.case.id, AuditLog.subject == f"case:{filters.case.id}"))
    if filters.subject:
        q = q.where(AuditLog.subject == filters.subject)
    if filters.staff:
        q = q.where(AuditLog.staff_email == filters.staff)
    if filters.days is not None:
        q = q.where(AuditLog.at >= filters.days.start, AuditLog.at < filters.days.end)
    return q


def page(db: Session, filters: AuditFilters, cursor: str | None, size: int) -> tuple[list[AuditLog], str | None]:
    """One page, newest first, and the cursor of the next (None: the last page).
    ValueError for a cursor this service did not give out."""
    position = keyset.decode(cursor) if cursor else None
    q = keyset.before(query(db, filters), AuditLog.at, AuditLog.id, position)
    rows = list(db.exec(q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    return rows, keyset.encode(rows[-1].at, rows[-1].id) if more and rows else None


def iter_rows(db: Session, filters: AuditFilters, batch: int = 500):
    """Every matching entry, newest first, read in batches (for the CSV)."""
    cursor = None
    while True:
        rows, cursor = page(db, filters, cursor, batch)
        yield from rows
        if cursor is None:
            return
