"""The desk inbox: filing what victims text for an agent, and what agents do with it.

services/inbound_texts.py decides what a text is; whatever the conversation does not
consume is filed here with the cases registered to the number.  An agent lists the
inbox (new, assigned to me, done), opens a message (which assigns it to them), replies
through the outbox, books a call-back, and marks it done.  Every reply and call-back
obeys the same rules as anything else the desk sends or books: an opted-out number, a
number whose case says texting is unsafe, or a case that does not allow a call is
refused here with the reason (and the outbox and callback workers check again).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from desk.redact import pseudonym
from flows.sms_texts import segments, to_gsm7
from models.calls import Call
from models.cases import Case
from models.db import session
from models.inbox import ASSIGNED, DONE, NEW, InboxMessage
from models.outbox import OutboundMessage, is_opted_out
from reports.wallboard import urgent_unread_texts
from services import callbacks
from services.outbox import queue_sms

log = logging.getLogger(__name__)

REPLY_PURPOSE = "inbox_reply"
REPLY_MAX_SEGMENTS = 3
VIEWS = ("new", "mine", "done")
ANONYMISED = "anonymised"  # services/retention.py


def file(db: Session, *, sid: str, phone: str, body: str, now: datetime, reason: str, urgent: bool,
         cases: list[Case], survey_id: int | None = None, acknowledged: bool = False) -> InboxMessage:
    """Keep the text for the desk (in the caller's transaction)."""
    message = InboxMessage(message_sid=sid, phone=phone, body=body, received_at=now, reason=reason,
                           urgent=urgent, survey_id=survey_id, case_ids=[c.id for c in cases],
                           acknowledged=acknowledged)
    db.add(message)
    log.info("inbox: %s from %s filed (%s%s)", sid, pseudonym(phone), reason, ", urgent" if urgent else "")
    return message


def conversation_acknowledged(db: Session, phone: str) -> bool:
    """Has this number's conversation with the desk had its acknowledgement?  A
    conversation lasts until the desk marks its messages done."""
    return db.exec(select(InboxMessage.id).where(InboxMessage.phone == phone, InboxMessage.status != DONE,
                                                 InboxMessage.acknowledged.is_(True))).first() is not None


def urgent_unread_count(db: Session | None = None) -> int:
    """Urgent messages no one has opened yet (the wallboard shows the same count)."""
    return urgent_unread_texts(db or session())


def listing(db: Session, view: str, staff_id: int | None) -> list[InboxMessage]:
    """new: nobody has it; mine: assigned to STAFF_ID and not done; done: finished.
    Urgent first, then oldest first (done: newest first)."""
    query = select(InboxMessage)
    if view == "mine":
        query = query.where(InboxMessage.status == ASSIGNED, InboxMessage.assigned_to == staff_id)
    elif view == "done":
        return list(db.exec(query.where(InboxMessage.status == DONE)
                            .order_by(InboxMessage.done_at.desc(), InboxMessage.id.desc()).limit(200)).all())
    else:
        query = query.where(InboxMessage.status == NEW)
    return list(db.exec(query.order_by(InboxMessage.urgent.desc(), InboxMessage.received_at,
                                       InboxMessage.id).limit(500)).all())


def counts(db: Session, staff_id: int | None) -> dict[str, int]:
    return {"new": _count(db, InboxMessage.status == NEW),
            "mine": _count(db, InboxMessage.status == ASSIGNED, InboxMessage.assigned_to == staff_id),
            "urgent": urgent_unread_count(db)}


def _count(db: Session, *where) -> int:
    return db.exec(select(func.count()).select_from(InboxMessage).where(*where)).one()


def opened(db: Session, message: InboxMessage, staff_id: int | None, now: datetime) -> None:
    """An agent opened MESSAGE: it is read, and theirs if nobody had it."""
    message.read_at = message.read_at or now
    if message.status == NEW and staff_id is not None:
        message.status, message.assigned_to = ASSIGNED, staff_id
    db.add(message)


def mark_done(db: Session, message: InboxMessage, staff_id: int | None, now: datetime) -> None:
    message.status, message.done_at, message.done_by = DONE, now, staff_id
    message.read_at = message.read_at or now
    db.add(message)


@dataclass(frozen=True)
class Thread:
    """What the agent sees beside a message: the linked cases, the calls from the
    number, the other messages from it and the desk's replies."""
    cases: list[Case]
    calls: list[Call]
    others: list[InboxMessage]
    replies: list[OutboundMessage]


def thread(db: Session, message: InboxMessage) -> Thread:
    cases = [c for c in (db.get(Case, i) for i in message.case_ids or []) if c is not None]
    if message.phone == ANONYMISED:
        return Thread(cases, [], [], [])
    calls = list(db.exec(select(Call).where(Call.caller == message.phone)
                         .order_by(Call.started_at.desc()).limit(10)).all())
    others = list(db.exec(select(InboxMessage).where(InboxMessage.phone == message.phone,
                                                     InboxMessage.id != message.id)
                          .order_by(InboxMessage.received_at.desc()).limit(20)).all())
    ids = [m.id for m in others] + [message.id]
    replies = list(db.exec(select(OutboundMessage).where(
        OutboundMessage.purpose == REPLY_PURPOSE,
        or_(*(OutboundMessage.dedupe_key.startswith(f"{i}:") for i in ids)))
        .order_by(OutboundMessage.id)).all())
    return Thread(cases, calls, others, replies)


def why_no_text(db: Session, message: InboxMessage) -> str | None:
    """Why the desk must not text this number, in words for the agent, or None."""
    if message.phone == ANONYMISED:
        return "The number has been anonymised."
    if is_opted_out(db, message.phone):
        return "The number has opted out of texts (STOP)."
    unsafe = db.exec(select(Case.id).where(Case.victim_phone == message.phone,
                                           Case.sms_allowed.is_(False))).first()
    if unsafe is not None or any(c.sms_allowed is False for c in thread(db, message).cases):
        return "A case says texting this number is not safe."
    return None


def reply(db: Session, message: InboxMessage, body: str, staff_id: int | None, now: datetime
          ) -> tuple[OutboundMessage | None, str | None]:
    """Queue the agent's reply through the outbox: (the outbox row, None) or (None, why not)."""
    text = to_gsm7(" ".join((body or "").split()))
    if not text:
        return None, "Write a reply first."
    if segments(text) > REPLY_MAX_SEGMENTS:
        return None, f"Keep the reply to {REPLY_MAX_SEGMENTS} text messages (about 450 characters)."
    if problem := why_no_text(db, message):
        return None, problem
    sent = db.exec(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.purpose == REPLY_PURPOSE, OutboundMessage.dedupe_key.startswith(f"{message.id}:"))).one()
    queued = queue_sms(db, to=message.phone, body=text, purpose=REPLY_PURPOSE, key=f"{message.id}:{sent + 1}")
    if queued.status != "pending":  # the outbox knows something we didn't
        return None, f"The text was not sent: {queued.note or queued.status}."
    opened(db, message, staff_id, now)
    return queued, None


def book_callback(db: Session, message: InboxMessage, now: datetime) -> tuple[callbacks.Booking | None, str | None]:
    """A call-back to the sender, by the same rules as any other (services/callbacks.py)."""
    if message.phone == ANONYMISED:
        return None, "The number has been anonymised."
    booking = callbacks.book_for_number(db, message.phone, now, source=f"inbox:{message.id}")
    if booking.outcome == "unavailable":
        return None, ("No case registered to this number allows a call back at a safe time; "
                      "a call back cannot be booked.")
    return booking, None
