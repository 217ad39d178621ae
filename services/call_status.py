"""A call's final status: from Twilio's status callback (ivr/routes.py) or, when that
callback never reached the desk, from Twilio's REST API (``reconcile``).

Twilio does not send a lost status callback again.  A caller whose "completed" was
lost while they waited stayed "waiting" for ever: at the front of the queue, on the
wallboard, in every other caller's place in line, and offered to agent after agent.
``reconcile`` asks Twilio about the calls the desk has not heard from lately (a
waiting caller after a minute, any other call after half an hour) and ends those
Twilio says are over, as the callback would have.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from desk.redact import pseudonym
from models import call_rows
from models.call_rows import CallRow
from models.calls import FINAL_STATUSES, STATUS_RANK, Call, record_event
from services.twilio_client import records

log = logging.getLogger(__name__)

# What a status compares before it replaces the status (a compare-and-set).
STATUS_COLUMNS = ("status", "status_rank", "status_sequence", "status_at")
WAITING_QUIET = timedelta(minutes=1)   # a waiting caller is asked about after this
CALL_QUIET = timedelta(minutes=30)     # any other call (in a menu, with an agent)
BATCH = 50                             # calls asked about per run, the longest quiet first


def over(db: Session, call: CallRow, at: datetime, duration: int | None) -> dict:
    """What a final status changes on the call (set with the status, in one statement),
    and the queue events it ends with."""
    values = {"ended_at": at}
    if duration is not None:
        values["duration_seconds"] = duration
    outcome = call.outcome
    if call.waiting_since is not None:  # hung up while waiting (Twilio may not tell us otherwise)
        record_event(db, call.call_sid, "abandoned", at=at)
        values["waiting_since"] = None
        outcome = "abandoned"
    if outcome == "connected" or call.agent_id is not None:
        record_event(db, call.call_sid, "completed", at=at, agent_id=call.agent_id)
    values["outcome"] = outcome or "ended_in_menu"
    return values


def quiet_calls(db: Session, now: datetime) -> list[str]:
    """CallSids of the calls not over whose last news is old: waiting ones first."""
    quiet = and_(Call.ended_at.is_(None),
                 or_(Call.waiting_since < now - WAITING_QUIET, Call.updated_at < now - CALL_QUIET))
    return list(db.exec(select(Call.call_sid).where(quiet)
                        .order_by(Call.waiting_since.is_(None), Call.updated_at).limit(BATCH)).scalars())


def reconcile(db: Session, client, now: datetime) -> int:
    """End the quiet calls Twilio says are over; how many were ended.  A call asked about
    and not over goes to the back of the line (its ``updated_at`` is now), so the next
    run asks about others first.  Twilio away or refusing: the rest wait for the next run."""
    ended = 0
    for sid, found in records(quiet_calls(db, now), lambda sid: client.calls(sid).fetch(), "quiet calls"):
        if found is not None and end_from(db, sid, found, now):
            ended += 1
        else:  # not over, or a call Twilio never had (the development emulator's)
            db.execute(update(Call).where(Call.call_sid == sid, Call.ended_at.is_(None)).values(updated_at=now))
            db.commit()
    return ended


def end_if_over(db: Session, client, call_sid: str, now: datetime) -> bool:
    """Ask Twilio about one call and end it if it is over (see ``end_from``).  Twilio's
    errors propagate."""
    return end_from(db, call_sid, client.calls(call_sid).fetch(), now)


def end_from(db: Session, call_sid: str, found, now: datetime) -> bool:
    """If Twilio's record FOUND says the call is over, end it here as its final status
    callback would have (and commit); whether it did."""
    if found.status not in FINAL_STATUSES:
        return False
    call = call_rows.load(db, call_sid)
    if call is None or call.ended_at is not None:
        return False
    at = found.end_time or now
    duration = int(found.duration) if str(found.duration or "").isdigit() else None
    values = dict(status=found.status, status_rank=STATUS_RANK[found.status], status_sequence=call.status_sequence,
                  status_at=at, updated_at=now)
    values.update(over(db, call, at, duration))
    if not call_rows.set_if_unchanged(db, call, STATUS_COLUMNS, **values):
        db.rollback()  # its callback came after all
        return False
    db.commit()
    log.info("call %s from %s ended by Twilio's record (%s): its status callback never came", call_sid,
             pseudonym(call.caller) if call.caller else "a withheld number", found.status)
    return True
