"""Whom a callback may ring, when, and whether it may leave a voicemail: one rule.

The number a callback rings (the caller's own or one they typed) is checked against
every case registered to that number, and the case the caller verified on, if any.
Anyone can type a number, so the strictest of those cases wins: one case not safe
to call means the number is never rung; the safe times are those every case allows
(no overlap: never rung); a voicemail only if every case allows one.  A number on
no case keeps the caller's own answers.

It is asked at booking (the phone line and a text CALL), before every dial (due work,
the agent's whisper and the dial itself) and by the console's "call now", so a case
changed after booking still wins.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from desk import clock
from flows import safe_times
from flows.dispatch import in_window
from models.callbacks import CallbackRequest
from models.cases import Case


@dataclass(frozen=True)
class CaseRule:
    """What the cases on one number allow (``cases == 0``: none speaks for it)."""
    cases: int = 0
    callable: bool = True
    safe_times: tuple[str, ...] | None = None  # None: no case limits the time of day
    voicemail: bool = True


def cases_for(db: Session, phone: str | None, case_id: int | None = None) -> list[Case]:
    """Cases registered to PHONE, plus the case the caller verified on."""
    found = list(db.exec(select(Case).where(Case.victim_phone == phone)).all()) if phone else []
    found = [case for case in found if case.is_registered_phone(phone)]
    if case_id and case_id not in {case.id for case in found}:
        verified = db.get(Case, case_id)
        found += [verified] if verified is not None else []
    return sorted(found, key=lambda case: case.id)


def rule(db: Session, phone: str | None, case_id: int | None = None) -> CaseRule:
    cases = cases_for(db, phone, case_id)
    if not cases:
        return CaseRule()
    times = safe_times.common([list(case.safe_call_times or []) for case in cases])
    return CaseRule(cases=len(cases),
                    callable=all(case.safe_to_call for case in cases) and times != [],
                    safe_times=tuple(times) if times is not None else None,
                    voicemail=all(case.voicemail_allowed for case in cases))


def may_book(db: Session, phone: str | None, case_id: int | None = None) -> bool:
    """May a callback to PHONE be booked at all?"""
    return rule(db, phone, case_id).callable


def ring_times(db: Session, cb: CallbackRequest) -> list[str] | None:
    """When CB may ring (London windows), None for any time, [] for never."""
    if not cb.safe_to_call:
        return []
    found = rule(db, cb.phone, cb.verified_case_id)
    if not found.callable:
        return []
    safe = list(found.safe_times) if found.safe_times is not None else None
    return safe_times.narrowed(safe, cb.window_start, cb.window_end)


def why_not_now(db: Session, cb: CallbackRequest, now: datetime) -> str | None:
    """None when CB may ring now; else "never" (the number must not be rung at all)
    or "not_now" (outside the safe times)."""
    times = ring_times(db, cb)
    if times == []:
        return "never"
    local = now.astimezone(clock.LONDON)
    if times is not None and not any(in_window(local, *w.split("-", 1)) for w in times):
        return "not_now"
    return None


def may_ring_now(db: Session, cb: CallbackRequest, now: datetime) -> bool:
    return why_not_now(db, cb, now) is None


def voicemail_consented(db: Session, cb: CallbackRequest) -> bool:
    """The caller said yes, and every case on the number (and the verified one) allows it."""
    return bool(cb.voicemail_allowed) and rule(db, cb.phone, cb.verified_case_id).voicemail
