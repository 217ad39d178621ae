"""What an inbound text does: a keyword first, else the survey it answers, else help.

``receive`` handles a text once by its MessageSid and records it; the webhook
(sms/routes.py) and the replay of spooled texts (services/inbound_spool.py) both go
through it, so a text is handled the same way whenever it arrives.

Everything here writes through the caller's session, so the whole of one message —
the record that we handled it, an opt-out, a rating, a call-back request — commits
together or not at all.

The phone may be held by the person who harmed the victim, so no reply may tell
whether the number has a case: UPDATE and CALL answer one neutral text whenever there
is nothing to give, and a number whose case says texting is unsafe gets no reply at
all (what it asked is still done and recorded).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, insert, or_
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from desk.phone import desk_number
from desk.redact import pseudonym
from flows import keywords
from flows import sms_conversation as conv
from flows.sms_schedule import next_call_window
from flows.sms_texts import callback_when, render
from models.callbacks import OPEN_STATUSES, CallbackRequest, CallbackStatus
from models.cases import Case, CaseUpdate
from models.db import core
from models.outbox import record_opt_in, record_opt_out
from models.surveys import InboundMessage
from services import callback_safety, routing, surveys, text_language
from services.case_updates import case_update_text
from services.hours import weekly_hours

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    action: str
    reply: str | None = None       # the text to answer with; None: answer nothing
    survey_id: int | None = None


@dataclass
class Received:
    reply: str | None              # what to answer (the earlier answer to a repeat)
    outcome: Outcome | None = None  # None: this message was handled before


# Core statements, built once: every inbound text runs both (models/call_rows.py says why)
INBOUND = InboundMessage.__table__
_BY_SID = core_select(INBOUND.c.reply).where(INBOUND.c.message_sid == bindparam("sid"))
_BY_SID_OR_TOKEN = core_select(INBOUND.c.reply).where(or_(INBOUND.c.message_sid == bindparam("sid"),
                                                     INBOUND.c.idempotency_token == bindparam("token")))


def seen(db: Session, sid: str, token: str | None):
    """The earlier answer's row (``.reply``) to this message, or None if it is new."""
    if token:
        return core(db).execute(_BY_SID_OR_TOKEN, {"sid": sid, "token": token}).first()
    return core(db).execute(_BY_SID, {"sid": sid}).first()


def receive(db: Session, sid: str, phone: str | None, body: str, now: datetime, *, token: str | None = None,
            received_at: datetime | None = None, also: Callable[[Outcome], None] | None = None) -> Received:
    """Handle the text once (by MessageSid or idempotency token), record it and commit.

    ALSO, if given, runs with the outcome inside the same transaction (the replay queues
    its reply there), so it happens exactly when the handling is committed."""
    if (done := seen(db, sid, token)) is not None:
        return Received(done.reply)
    try:
        outcome = handle(db, phone, body, sid, now)
        if also is not None:
            also(outcome)
        # The message's row goes in with what it did: a concurrent duplicate's commit then
        # fails on the unique MessageSid, undoing its own handling, and answers as this one
        core(db).execute(insert(INBOUND), {
            "message_sid": sid, "idempotency_token": token, "from_pseudonym": pseudonym(phone),
            "received_at": received_at or now, "action": outcome.action, "reply": outcome.reply,
            "survey_id": outcome.survey_id})
        db.commit()
    except IntegrityError:
        db.rollback()
        db.info.pop("after_commit_jobs", None)
        done = seen(db, sid, token)
        return Received(done.reply if done else None)
    run_after_commit_jobs(db)
    return Received(outcome.reply, outcome)


def text(text_id: str, **params) -> str:
    return render(text_id, weekly=weekly_hours(), desk_number=desk_number(), **params)


# What UPDATE and CALL answer when there is nothing to give, whatever the reason
NEUTRAL = {keywords.UPDATE: "update_unavailable", keywords.CALLBACK: "callback_unavailable"}


def handle(db: Session, phone: str | None, body: str, message_sid: str, now: datetime) -> Outcome:
    action = keywords.keyword(body)
    if phone is None:  # a short code or a withheld sender: nothing to look up
        return Outcome("help", text(NEUTRAL.get(action, "help")))
    cases = registered_cases(db, phone)
    outcome = _answer(db, phone, cases, action, body, message_sid, now)
    if any(not case.sms_allowed for case in cases):
        # any reply (even HELP) would show whoever holds the phone that we know the number
        return replace(outcome, reply=None)
    return outcome


def _answer(db: Session, phone: str, cases: list[Case], action: str | None, body: str, message_sid: str,
            now: datetime) -> Outcome:
    if action == keywords.OPT_OUT:
        record_opt_out(db, phone, source="sms-keyword")
        # Twilio confirms the opt-out itself and would block any reply of ours
        return Outcome("opt_out", None)
    if action == keywords.OPT_IN:
        record_opt_in(db, phone, source="sms-keyword")
        return Outcome("opt_in", text("opted_in"))
    if action == keywords.HELP:
        return Outcome("help", text("help"))
    if action == keywords.CALLBACK:
        return request_callback(db, phone, cases, message_sid, now)
    if action == keywords.UPDATE:
        return latest_update(db, cases)
    survey = surveys.survey_for_reply(db, phone, now)
    if survey is None:
        return Outcome("help", text("help"))
    step = conv.resume(surveys.state_of(survey), body, now)
    surveys.apply(db, survey, step, now, via="sms")
    outcome = next((type(e).__name__ for e in step.events if not isinstance(e, conv.Reply)), "reply")
    return Outcome(f"survey:{outcome}", surveys.reply_text(step), survey.id)


def registered_cases(db: Session, phone: str) -> list[Case]:
    """Cases on which PHONE is the victim's registered number (never a guess by name)."""
    cases = db.exec(select(Case).where(Case.victim_phone == phone).order_by(Case.id)).all()
    return [case for case in cases if case.is_registered_phone(phone)]


def latest_update(db: Session, cases: list[Case]) -> Outcome:
    """The latest update on CASES (the sender's registered cases), or the neutral text."""
    if not cases:
        return Outcome("update:unregistered", text(NEUTRAL[keywords.UPDATE]))
    if any(not case.sms_allowed for case in cases):
        return Outcome("update:sms_unsafe", None)  # handle() answers such a number nothing anyway
    by_id = {case.id: case for case in cases}
    update = db.exec(select(CaseUpdate).where(CaseUpdate.case_id.in_(list(by_id)))
                     .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())).first()
    if update is None:
        return Outcome("update:none", text(NEUTRAL[keywords.UPDATE]))
    return Outcome("update:sent", case_update_text(by_id[update.case_id], update))


def request_callback(db: Session, phone: str, cases: list[Case], message_sid: str, now: datetime) -> Outcome:
    """CALL: a call-back, only to a number registered on cases with safe call times.

    Texting may be safe where a phone call is not, so the cases need their own safe call
    times before we promise to ring.  Every case on the number must allow a call, and
    only the times they all allow count (services/callback_safety.py, which the workers
    ask again before they dial)."""
    allowed = callback_safety.rule(db, phone)
    window = (next_call_window(list(allowed.safe_times), now)
              if allowed.callable and allowed.safe_times else None)
    if window is None:
        return Outcome("callback:unavailable", text(NEUTRAL[keywords.CALLBACK]))
    start, _end = window
    case = callback_safety.cases_for(db, phone)[0]
    # One call-back per victim: whatever booked it (a call, an earlier text), CALL again
    # updates that one request, which keeps its place, and says it was already booked.
    existing = db.exec(select(CallbackRequest).where(
        CallbackRequest.phone == phone, CallbackRequest.status.in_(OPEN_STATUSES))
        .order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)).first()
    if existing is None:
        db.add(CallbackRequest(
            call_sid=message_sid, phone=phone, safe_to_call=True, voicemail_allowed=allowed.voicemail,
            # the victim's language (the case's, else their last call's): the call back
            # and any voicemail are in it
            queue_joined_at=now, requested_at=now, language=text_language.for_phone(db, phone, case),
            verified_case_id=case.id,
            status=CallbackStatus.PENDING, attempts=0))
        db.info.setdefault("after_commit_jobs", []).append(routing.schedule_callbacks)
        log.info("call-back requested by text from %s on case %s", pseudonym(phone), case.id)
    else:
        # the cases' rule now (services/callback_safety.py): a voicemail only if they all allow one
        existing.voicemail_allowed = existing.voicemail_allowed and allowed.voicemail
        existing.verified_case_id = existing.verified_case_id or case.id
        db.add(existing)
        log.info("call-back asked again by text from %s: request %s kept", pseudonym(phone), existing.id)
    action, booked = (("callback:requested", "callback_booked") if existing is None
                      else ("callback:already", "callback_already"))
    if start <= now:
        return Outcome(action, text(f"{booked}_now"))
    return Outcome(action, text(f"{booked}_later", when=callback_when(start, now)))


def run_after_commit_jobs(db: Session) -> None:
    """Nudge the workers about what this message committed (they also sweep)."""
    for job in db.info.pop("after_commit_jobs", []):
        try:
            job()
        except Exception:  # noqa: BLE001 - the row is committed; the workers' own sweep finds it
            log.exception("%s failed after an inbound text", job.__qualname__)
