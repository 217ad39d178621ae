"""The flow's side effects, at the edge: answering its queries (case look-ups,
lockouts, texting the leaflet) and carrying out what it asks (callback requests,
queue events, routing).  Nothing here logs a phone number, a digit the caller typed or
anything about a case; log lines name the call and a pseudonym at most.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import phonenumbers
from sqlmodel import Session, select

from desk import settings
from desk.clock import LONDON
from desk.redact import pseudonym
from desk.redis_conn import connect
from flows import case_status, prompts, spoken
from flows.model import Answer, CallbackRecord, CallState, Event, Query, QueueEvent, RequestRouting
from flows.sms_texts import render as render_text
from models.agents import Agent, AgentState
from models.call_rows import CallRow
from models.callbacks import OPEN_STATUSES, CallbackRequest, CallbackStatus
from models.calls import record_event
from models.cases import Case, CaseUpdate
from services import callback_safety, routing
from services.outbox import queue_sms
from services.passwords import verify_pin

log = logging.getLogger(__name__)

# --- case look-ups and the daily lockouts ---------------------------------------------
# Two counters per London day, so that spoofing a victim's number cannot lock the victim
# out of their own case:
#   - per number, for references that match no case registered to that number: at
#     IVR_CASE_LOCKOUT_FAILURES such references get "locked", but a reference matching
#     a case registered to the number still goes on to that case;
#   - per case, for wrong PINs: at IVR_PIN_LOCKOUT_FAILURES the case is locked for the
#     rest of the day, whichever number calls.


def _day(now: datetime) -> str:
    return now.astimezone(LONDON).date().isoformat()


def _failures_key(caller: str, now: datetime) -> str:
    # keyed by the pseudonym, never the number; one counter per London day
    return f"ivr:case-failures:{pseudonym(caller)}:{_day(now)}"


def _pin_failures_key(case_id: int, now: datetime) -> str:
    # keyed by the case's id, never its reference; one counter per London day
    return f"ivr:pin-failures:{case_id}:{_day(now)}"


def _count(config, key: str) -> int:
    return int(connect(config).get(key) or 0)


def _incr(config, key: str) -> int:
    redis = connect(config)
    count = redis.incr(key)
    redis.expire(key, int(timedelta(days=2).total_seconds()))
    return int(count)


def locked_out(config, caller: str | None, now: datetime) -> bool:
    """Whether CALLER has typed too many unknown references today (their own cases
    stay open to them)."""
    if not caller:
        return False
    return _count(config, _failures_key(caller, now)) >= settings.current()["IVR_CASE_LOCKOUT_FAILURES"]


def count_failure(config, caller: str | None, now: datetime) -> int:
    if not caller:
        return 0
    return _incr(config, _failures_key(caller, now))


def pin_locked(config, case_id: int, now: datetime) -> bool:
    return _count(config, _pin_failures_key(case_id, now)) >= settings.current()["IVR_PIN_LOCKOUT_FAILURES"]


def _latest(db: Session, case: Case) -> CaseUpdate | None:
    return db.exec(select(CaseUpdate).where(CaseUpdate.case_id == case.id)
                   .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())).first()


# Call variables: the case whose update the caller heard, and whether in full (with
# the PIN), so "press 1 to hear it again" reads it from the case once more.
HEARD_CASE, HEARD_FULL = "heard_case", "heard_full"


def _update_answer(query: str, case: Case, latest: CaseUpdate | None, state: CallState, full: bool) -> Answer:
    # the status as a plain sentence in the caller's language; one the table does not
    # know is never read out raw (flows/case_status.py), and is logged to be added
    if not case_status.known(case.status):
        log.warning("case %s has a status with no sentence to read out: add it to flows/case_status.py", case.id)
    params = {"status": case_status.phrase(case.status, state.language)}
    remember = {HEARD_CASE: case.id, HEARD_FULL: full}
    if latest is None:
        return Answer(query, "no_updates", params, remember)
    params["date"] = prompts.calendar_date(latest.created_at.astimezone(LONDON), state.language)
    if full:
        # the case system writes in English: read as English inside a Polish sentence
        params["message"] = (spoken.Phrase((spoken.foreign("en", latest.message),))
                             if state.language != "en" else latest.message)
        return Answer(query, "full", params, remember)
    return Answer(query, "minimal", params, remember)


def _case_again(db: Session, call: CallRow, state: CallState) -> Answer:
    """The update this call has heard (or, for a full one, is about to hear once the
    caller can listen privately), read from the case again: only the case the call
    was verified for, and only while the caller's number is still registered on it."""
    case_id = state.vars.get(HEARD_CASE)
    case = db.get(Case, case_id) if isinstance(case_id, int) else None
    if case is None or call.verified_case_id != case.id or not case.is_registered_phone(state.caller):
        return Answer("case_again", "gone")
    return _update_answer("case_again", case, _latest(db, case), state, full=bool(state.vars.get(HEARD_FULL)))


def _case_lookup(db: Session, config, call: CallRow, state: CallState, reference: str | None,
                 now: datetime) -> Answer:
    caller = state.caller
    case = None
    if reference and caller:
        # Several references share digits (CAD 9999/26, CRIS 9999/26): only the caller's
        # own cases count, and when more than one matches, the desk asks which one.
        mine = db.exec(select(Case).where(Case.reference_digits == reference, Case.victim_phone == caller)
                       .order_by(Case.id).limit(2)).all()
        if len(mine) > 1:
            log.info("case look-up on call %s matched more than one case; to the desk", call.call_sid)
            return Answer("case_lookup", "ambiguous")
        case = mine[0] if mine else None
    # Unknown reference and a number not registered on the case are one answer, so
    # the call reveals nothing, not even whether the case exists (or is locked).
    if case is None or not case.is_registered_phone(caller):
        if locked_out(config, caller, now):
            log.info("case look-up on call %s refused: %s is locked out today", call.call_sid, pseudonym(caller))
            return Answer("case_lookup", "locked")
        failures = count_failure(config, caller, now)
        log.info("case look-up on call %s refused (%s failures today for %s)", call.call_sid, failures,
                 pseudonym(caller))
        return Answer("case_lookup", "refused")
    if case.update_detail == "full" and case.pin_hash:
        if pin_locked(config, case.id, now):
            log.info("case look-up on call %s: the case is locked today after wrong PINs", call.call_sid)
            return Answer("case_lookup", "pin_locked")
        log.info("case look-up on call %s matched; asking for the PIN", call.call_sid)
        return Answer("case_lookup", "pin", remember={"pin_case": case.id})
    # Caller ID and the reference alone never hear a full update: without a PIN a
    # full-update case is read as a minimal one.
    call.verified_case_id = case.id
    log.info("case look-up on call %s verified", call.call_sid)
    return _update_answer("case_lookup", case, _latest(db, case), state, full=False)


def _case_pin(db: Session, config, call: CallRow, state: CallState, pin: str | None, case_id,
              now: datetime) -> Answer:
    case = db.get(Case, case_id) if isinstance(case_id, int) else None
    # The case was matched to this number by the look-up; check again, as the state
    # comes back from the database.
    if case is None or not case.is_registered_phone(state.caller) or not case.pin_hash:
        log.warning("PIN check on call %s without a matched case", call.call_sid)
        return Answer("case_pin", "locked")
    if pin_locked(config, case.id, now):
        log.info("PIN check on call %s: the case is locked today", call.call_sid)
        return Answer("case_pin", "locked")
    if not verify_pin(case.pin_hash, pin):
        failures = _incr(config, _pin_failures_key(case.id, now))
        log.info("PIN check on call %s: wrong PIN (%s today for this case)", call.call_sid, failures)
        if failures >= settings.current()["IVR_PIN_LOCKOUT_FAILURES"]:
            return Answer("case_pin", "locked")
        return Answer("case_pin", "wrong", remember={"pin_case": case.id})
    call.verified_case_id = case.id
    log.info("case look-up on call %s verified with the PIN", call.call_sid)
    return _update_answer("case_pin", case, _latest(db, case), state, full=True)


# --- the leaflet by text ------------------------------------------------------------


def _is_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) in (phonenumbers.PhoneNumberType.MOBILE,
                                                 phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _send_leaflet(db: Session, call: CallRow, state: CallState) -> Answer:
    if not state.caller or not _is_mobile(state.caller):
        return Answer("send_leaflet", "no_number")
    # the service's own short page (with its quick-exit button), not an address that
    # says "victims of crime" on a lock screen
    page = "/leaflet?lang=pl" if state.language == "pl" else "/leaflet"
    body = render_text("leaflet", language=state.language, url=settings.public_url(page))
    message = queue_sms(db, to=state.caller, body=body, purpose="leaflet", key=call.call_sid)
    if message.status in ("pending", "retry", "sending", "sent", "delivered"):
        return Answer("send_leaflet", "sent")
    return Answer("send_leaflet", "refused")


def answer(db: Session, config, query: Query, call: CallRow, state: CallState, now: datetime) -> Answer:
    if query.name == "case_lookup":
        return _case_lookup(db, config, call, state, query.args.get("reference"), now)
    if query.name == "case_pin":
        return _case_pin(db, config, call, state, query.args.get("pin"), query.args.get("pin_case"), now)
    if query.name == "case_again":
        return _case_again(db, call, state)
    if query.name == "send_leaflet":
        return _send_leaflet(db, call, state)
    if query.name == "callback_number":
        phone = state.caller if state.vars.get("cb_use_caller") else state.vars.get("cb_phone")
        callable_ = callback_safety.may_book(db, phone, call.verified_case_id)
        if not callable_:
            log.info("callback to %s refused on call %s: a case says not to call", pseudonym(phone), call.call_sid)
            return Answer("callback_number", "refused")
        # Only the caller's own number hears that a callback is booked (and when):
        # anyone can type a number, and must not learn that the desk will ring it.
        booked = open_callback(db, phone) if phone and phone == state.caller else None
        if booked is not None:
            after = booked.next_attempt_at.isoformat() if booked.next_attempt_at else None
            return Answer("callback_number", "booked", remember={
                "cb_booked_after": after, "cb_booked_times": callback_safety.ring_times(db, booked)})
        return Answer("callback_number", "ok")
    if query.name == "cancel_callback":
        return _cancel_callback(db, call, state, now)
    if query.name == "staffing":
        return Answer("staffing", "staffed" if on_duty(db) else "unstaffed")
    raise ValueError(f"no answer for query {query.name!r}")


def on_duty(db: Session) -> bool:
    """Whether any agent is on duty: available, busy or in wrap-up (not offline)."""
    return db.exec(select(Agent.id).where(Agent.state != AgentState.OFFLINE.value).limit(1)).first() is not None


# --- what the flow asks for ---------------------------------------------------------

LEAVING_EVENTS = {"exit_with_key", "timed_out", "queue_full", "abandoned", "connected"}


def apply(db: Session, events: list[Event], call: CallRow, state: CallState, now: datetime) -> None:
    """Carry out the flow's events in this request's transaction; update the call log
    (CALL, which the webhook saves)."""
    for event in events:
        if isinstance(event, QueueEvent):
            record_event(db, call.call_sid, event.event, at=now, position=event.position,
                         wait_seconds=event.wait_seconds)
            if event.event == "entered":
                call.waiting_since = now
            elif event.event in LEAVING_EVENTS:
                call.waiting_since = None
            if event.wait_seconds is not None and event.event in ("connected", "abandoned"):
                call.wait_seconds = event.wait_seconds
        elif isinstance(event, CallbackRecord):
            _record_callback(db, event, call, now)
    call.language = state.language
    call.path = list(state.path)
    if state.outcome:
        call.outcome = state.outcome
    if state.queue_joined_at and call.queue_joined_at is None:
        call.queue_joined_at = datetime.fromisoformat(state.queue_joined_at)
    if state.vars.get("wait_seconds") is not None:
        call.wait_seconds = state.vars["wait_seconds"]
    call.state = state.to_json()
    call.updated_at = now


def open_callback(db: Session, phone: str | None) -> CallbackRequest | None:
    """The callback still waiting to ring PHONE (one per victim), if any."""
    if not phone:
        return None
    return db.exec(select(CallbackRequest).where(CallbackRequest.phone == phone,
                                                 CallbackRequest.status.in_(OPEN_STATUSES))
                   .order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)).first()


def _cancel_callback(db: Session, call: CallRow, state: CallState, now: datetime) -> Answer:
    # Only the caller's own number reaches cb_cancel (the flow asked callback_number).
    booked = open_callback(db, state.caller)
    if booked is None or booked.status != CallbackStatus.PENDING:
        return Answer("cancel_callback", "gone")
    booked.status = CallbackStatus.CANCELLED
    booked.last_outcome = "cancelled by the caller on the phone line"
    booked.next_attempt_at = None
    db.add(booked)
    log.info("callback %s cancelled by the caller on call %s", booked.id, call.call_sid)
    return Answer("cancel_callback", "cancelled")


def _record_callback(db: Session, record: CallbackRecord, call: CallRow, now: datetime) -> None:
    # Only a caller who said it is safe reaches here: the flow never records a
    # callback for someone who said it is not safe to call (they are told how to
    # reach the desk instead, and the call log keeps outcome "callback_unsafe").
    # Storing nothing callable means no worker or later bulk retry can ring them.
    if not record.safe_to_call:
        raise ValueError("refusing to record a callback the caller said is not safe")
    existing = db.exec(select(CallbackRequest).where(CallbackRequest.call_sid == call.call_sid)).first()
    if existing is not None:
        return  # a repeated webhook: one call books one callback
    if not callback_safety.may_book(db, record.phone, call.verified_case_id):
        # A case changed since the flow asked (callback_number): nothing callable is stored.
        log.info("callback on call %s not booked: a case now says not to call %s", call.call_sid,
                 pseudonym(record.phone))
        return
    joined = datetime.fromisoformat(record.queue_joined_at) if record.queue_joined_at else now
    booked = open_callback(db, record.phone)
    if booked is not None:
        # One callback per victim: booking again changes the one request, which keeps
        # the earliest place in the queue.  Someone else typing the number (not its
        # caller) cannot turn on a voicemail the first booking did not allow.
        own = record.phone == call.caller
        booked.voicemail_allowed = record.voicemail_allowed and (own or booked.voicemail_allowed)
        booked.window_start, booked.window_end = record.window_start, record.window_end
        booked.queue_joined_at = min(booked.queue_joined_at, joined)
        booked.language = record.language
        booked.verified_case_id = call.verified_case_id or booked.verified_case_id
        db.add(booked)
        log.info("callback %s changed on call %s for %s", booked.id, call.call_sid, pseudonym(record.phone))
        return
    db.add(CallbackRequest(call_sid=call.call_sid, phone=record.phone, safe_to_call=True,
                           voicemail_allowed=record.voicemail_allowed, window_start=record.window_start,
                           window_end=record.window_end, queue_joined_at=joined, requested_at=now,
                           language=record.language, verified_case_id=call.verified_case_id,
                           status=CallbackStatus.PENDING, attempts=0))
    log.info("callback booked on call %s for %s", call.call_sid, pseudonym(record.phone))


def after_commit(events: list[Event], call: CallRow) -> None:
    """Jobs that must only start once the call's rows are committed."""
    if any(isinstance(e, RequestRouting) for e in events):
        _nudge(routing.request_routing, call.call_sid)
    if any(isinstance(e, CallbackRecord) for e in events):
        _nudge(routing.schedule_callbacks)


def _nudge(job, *args) -> None:
    try:
        job(*args)
    except Exception:  # the caller is already safely queued or booked; workers' sweeps catch up
        log.exception("%s failed", job.__qualname__)
