"""Placing callbacks: the agent is rung first, then (once they press 1) the victim.

A callback is due when it is pending, its ``next_attempt_at`` has come, the desk is
open and now is inside the victim's safe window (services/callback_safety.py: the
cases registered to the number decide, the caller's own answers only narrow them).  Due callbacks
compete with live callers for agents in the order the callers first joined the queue
(``queue_joined_at``): the router does the matching (workers/router.py).

Attempts: each time the victim's number is dialled is a ``CallbackAttempt``.  A
victim who answers completes the request; otherwise it is retried after the
configured gaps until ``CALLBACK_MAX_ATTEMPTS`` attempts, then marked failed.  An
agent who does not take the callback does not use up one of the victim's attempts.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from desk import settings
from desk.redact import pseudonym
from flows import dispatch as rules
from flows import hours
from flows.sms_schedule import next_call_window
from models.callbacks import OPEN_STATUSES, CallbackAttempt, CallbackRequest, CallbackStatus
from services import callback_safety, text_language, waiting
from services import hours as desk_hours

log = logging.getLogger(__name__)

PENDING, IN_PROGRESS, COMPLETED, FAILED = (CallbackStatus.PENDING, CallbackStatus.IN_PROGRESS,
                                          CallbackStatus.COMPLETED, CallbackStatus.FAILED)


def desk_open(now: datetime) -> bool:
    """Callbacks are placed only while the desk is open (the voice side's hours)."""
    return hours.is_open(now, desk_hours.hours_overrides(), desk_hours.weekly_hours())


def policy() -> rules.AttemptPolicy:
    return rules.AttemptPolicy(max_attempts=settings.current()["CALLBACK_MAX_ATTEMPTS"],
                               spacing=tuple(timedelta(minutes=m) for m in settings.current()["CALLBACK_RETRY_MINUTES"]))


def case_windows(db: Session, callback: CallbackRequest) -> list[str] | None:
    """When CALLBACK may ring (London windows): None for any time, [] for never."""
    return callback_safety.ring_times(db, callback)


def safe_now(db: Session, callback: CallbackRequest, now: datetime) -> bool:
    return callback_safety.may_ring_now(db, callback, now)


def due_work(db: Session, now: datetime) -> list[rules.Work]:
    """Callbacks an agent may place right now, oldest queue join first."""
    if not desk_open(now):
        return []
    rows = db.exec(select(CallbackRequest).where(CallbackRequest.status == PENDING)
                   .order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)).all()
    work = []
    vawg = waiting.vawg_cases(db, (cb.verified_case_id for cb in rows))
    for cb in rows:
        if cb.next_attempt_at is not None and cb.next_attempt_at > now:
            continue
        if cb.attempts >= policy().max_attempts:
            continue
        if not safe_now(db, cb, now):
            continue
        work.append(rules.Work("callback", str(cb.id), cb.queue_joined_at, cb.language or "en",
                               cb.verified_case_id in vawg))
    return work


def claim(db: Session, callback_id: int, agent_id: int) -> None:
    cb = db.get(CallbackRequest, callback_id)
    cb.status, cb.agent_id = IN_PROGRESS, agent_id
    db.add(cb)


def release(db: Session, callback_id: int) -> None:
    """The agent did not take it (or it could not be offered): pending again, same turn."""
    cb = db.get(CallbackRequest, callback_id)
    if cb is not None and cb.status == IN_PROGRESS:
        cb.status, cb.agent_id = PENDING, None
        db.add(cb)


def get(db: Session, callback_id: int | None) -> CallbackRequest | None:
    return db.get(CallbackRequest, callback_id) if callback_id else None


def get_attempt(db: Session, attempt_id: int | None) -> CallbackAttempt | None:
    return db.get(CallbackAttempt, attempt_id) if attempt_id else None


def voicemail_permitted(db: Session, cb: CallbackRequest) -> bool:
    """A message only with the victim's consent (and every case's on the number), and
    only once: a second message on a shared phone adds risk and nothing new."""
    if not callback_safety.voicemail_consented(db, cb):
        return False
    return db.exec(select(CallbackAttempt).where(
        CallbackAttempt.callback_id == cb.id,
        CallbackAttempt.outcome == rules.VOICEMAIL_LEFT)).first() is None


def start_attempt(db: Session, cb: CallbackRequest, agent_id: int, agent_call_sid: str | None,
                  now: datetime) -> CallbackAttempt:
    cb.attempts += 1
    cb.status = IN_PROGRESS
    attempt = CallbackAttempt(callback_id=cb.id, attempt_no=cb.attempts, started_at=now,
                              agent_id=agent_id, agent_call_sid=agent_call_sid)
    db.add_all([cb, attempt])
    db.flush()
    return attempt


def finish_attempt(db: Session, attempt: CallbackAttempt, outcome: str, now: datetime) -> CallbackRequest:
    """Record how the attempt ended and what happens to the request next (idempotent:
    the first outcome recorded for an attempt stands)."""
    cb = db.get(CallbackRequest, attempt.callback_id)
    if attempt.ended_at is not None:
        return cb
    attempt.outcome = attempt.outcome or outcome
    attempt.ended_at = now
    cb.last_outcome = attempt.outcome
    if attempt.outcome == rules.CONNECTED:
        cb.status, cb.next_attempt_at = COMPLETED, None
    else:
        retry_at = policy().next_attempt(cb.attempts, now)
        if retry_at is None:
            cb.status, cb.next_attempt_at = FAILED, None
        else:
            cb.status, cb.next_attempt_at, cb.agent_id = PENDING, retry_at, None
    db.add_all([attempt, cb])
    log.info("callback %s attempt %s: %s -> %s", cb.id, attempt.attempt_no, attempt.outcome, cb.status)
    return cb


def recover(db: Session, now: datetime, active_callback_ids: set[int]) -> int:
    """In-progress callbacks with no live offer (a worker or webhook was lost): an
    attempt that started is closed as lost (and retried per policy); otherwise the
    request is simply pending again."""
    count = 0
    for cb in db.exec(select(CallbackRequest).where(CallbackRequest.status == IN_PROGRESS)).all():
        if cb.id in active_callback_ids:
            continue
        open_attempt = db.exec(select(CallbackAttempt).where(
            CallbackAttempt.callback_id == cb.id, CallbackAttempt.ended_at.is_(None))).first()
        if open_attempt is not None:
            finish_attempt(db, open_attempt, rules.LOST, now)
        else:
            cb.status, cb.agent_id = PENDING, None
            db.add(cb)
        count += 1
    return count



@dataclass(frozen=True)
class Booking:
    """What booking a call-back for a number did: "requested" (a new request),
    "already" (the open one kept, and its place) or "unavailable" (the cases on the
    number do not allow a call); START is the earliest time it may ring."""
    outcome: str
    start: datetime | None = None
    callback: CallbackRequest | None = None


def book_for_number(db: Session, phone: str, now: datetime, *, source: str, language: str | None = None) -> Booking:
    """A call-back to PHONE, only where every case registered to it allows a call, at
    the times they all allow (services/callback_safety.py, asked again before each dial).

    A text CALL and the desk inbox book through here.  Texting may be safe where a
    phone call is not, so the cases need their own safe call times before we promise
    to ring.  One call-back per victim: an open request is kept (with its place) and
    said to be already booked.  SOURCE (a MessageSid, "inbox:<id>") is the request's
    unique key.  The call back and any voicemail are in LANGUAGE, by default the
    victim's (the case's, else their last call's).  The caller schedules routing after
    its commit."""
    allowed = callback_safety.rule(db, phone)
    window = (next_call_window(list(allowed.safe_times), now)
              if allowed.callable and allowed.safe_times else None)
    if window is None:
        return Booking("unavailable")
    start, _end = window
    case = callback_safety.cases_for(db, phone)[0]
    existing = db.exec(select(CallbackRequest).where(
        CallbackRequest.phone == phone, CallbackRequest.status.in_(OPEN_STATUSES))
        .order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)).first()
    if existing is None:
        created = CallbackRequest(
            call_sid=source, phone=phone, safe_to_call=True, voicemail_allowed=allowed.voicemail,
            queue_joined_at=now, requested_at=now, verified_case_id=case.id,
            language=language or text_language.for_phone(db, phone, case),
            status=CallbackStatus.PENDING, attempts=0)
        db.add(created)
        log.info("call-back requested (%s) for %s on case %s", source[:8], pseudonym(phone), case.id)
        return Booking("requested", start, created)
    # the cases' rule now (services/callback_safety.py): a voicemail only if they all allow one
    existing.voicemail_allowed = existing.voicemail_allowed and allowed.voicemail
    existing.verified_case_id = existing.verified_case_id or case.id
    db.add(existing)
    log.info("call-back asked again for %s: request %s kept", pseudonym(phone), existing.id)
    return Booking("already", start, existing)
