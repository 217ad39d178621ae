"""Twilio voice webhooks for callers.  Each route only verifies the signature, loads
the call's state, steps the flow (flows/engine.py), carries out its effects
(ivr/effects.py), saves, and renders TwiML (ivr/render.py).

    /ivr/voice        the call arrives
    /ivr/step         a Gather's answer, or its fall-through (silence)
    /ivr/queue/wait   the queue's waitUrl: position, wait, hold music, "press 1", closing
    /ivr/queue/key    a key pressed while waiting
    /ivr/queue/exit   the Enqueue action: why the caller is out of the queue
    /ivr/status       call status callbacks (idempotent, any order)
    /ivr/fallback     the safe document, for Twilio's Fallback URL
"""
from __future__ import annotations

import functools
import logging
import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from flask import Blueprint, abort, current_app, request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session
from twilio.twiml.voice_response import VoiceResponse

from desk import clock
from desk.signature import twilio_sid, twilio_webhook
from desk.twiml import twiml
from flows import engine
from flows.call_flow import call_flow
from flows.model import CallState, Digits, Enqueue, Event, Flow, Query, QueueResult, QueueWait, Silence, Speech, Trigger
from flows.model import Queue as QueueNode
from flows.phone import try_e164
from flows.validate import check
from ivr import effects, step_tokens
from ivr.fallback import try_later
from ivr.render import media_url, render
from ivr.safe_answer import answers_safely, degraded, degraded_hold, hold_music, rollback_quietly
from models import call_rows
from models.call_rows import CallRow
from models.calls import FINAL_STATUSES, STATUS_RANK
from models.db import session
from services import call_status, queue_place
from services.hours import flow_settings

log = logging.getLogger(__name__)

bp = Blueprint("ivr", __name__, url_prefix="/ivr")

MAX_QUERIES_PER_REQUEST = 5


def init_flow(app) -> None:
    """Check the flow and the operator's settings once, at start-up."""
    with app.app_context():
        app.extensions["call_flow"] = check(call_flow(flow_settings()))


def current_flow() -> Flow:
    # settings are read per request so an operator (or a test) can change them
    return engine.replace_settings(current_app.extensions["call_flow"], flow_settings())


# --- when things break -----------------------------------------------------------------


# Every step of the call flow answers the fallback if anything fails; the wait music
# keeps the caller in line with more music, up to IVR_DEGRADED_HOLD_SECONDS
# (ivr/safe_answer.py).
safe_twiml = answers_safely(degraded)
keep_holding = answers_safely(degraded_hold)


# --- loading and saving a call -----------------------------------------------------------


def _call_sid() -> str:
    sid = twilio_sid(request.form.get("CallSid"))
    if not sid:
        abort(400, description="CallSid is required, as Twilio sends it")
    return sid


def _call_row(db: Session, sid: str, now: datetime, *, answered: bool = True) -> CallRow:
    """The call's row, made on first sight (whichever webhook comes first).  A new row
    is inserted with the request's other writes just before its commit, which keeps the
    database's write lock short; a concurrent first sight of the same call makes that
    insert fail, and ``first_sight_races`` runs the request again.  A row first made
    by a status callback holds no status yet, so that callback sets it."""
    call = call_rows.load(db, sid)
    if call is not None:
        return call
    form = request.form
    values = dict(call_sid=sid, caller=try_e164(form.get("From")), called=try_e164(form.get("To")),
                  direction=_word(form.get("Direction"), 20), stir_verstat=_stir_verstat(),
                  started_at=now, updated_at=now)
    if not answered:
        values.update(status="unknown", status_rank=-1)
    return call_rows.new(**values)


def first_sight_races(view):
    """Run VIEW again when its commit lost a race to insert the same call's row (two
    webhooks of a new call at once): the second run finds the row."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except IntegrityError:
            session().rollback()
            return view(*args, **kwargs)

    return wrapper


def _run(db: Session, flow: Flow, call: CallRow, state: CallState, events: list[Event], now: datetime,
         if_silent=None, durable: bool = True, *, route: str, token: str | None = None, rotate: bool = True):
    """Answer the flow's queries, carry out its effects, save, and render (through
    ``if_silent(flow, state, response, token)`` when nothing in it keeps the call going).
    ROTATE: this request uses up TOKEN (ivr/step_tokens.py), claimed before any effect
    so that two copies of one request cannot both act."""
    if rotate and not _claim_step(db, call):
        db.rollback()
        return _not_current(flow, call, now, route=route, token=token, holding=False)
    events = list(events)
    for _ in range(MAX_QUERIES_PER_REQUEST):
        if not events or not isinstance(events[-1], Query):
            break
        answer = effects.answer(db, current_app.config, events.pop(), call, state, now)
        state, more = engine.resume(flow, state, answer, now=now)
        events.extend(more)
    if events and isinstance(events[-1], Query):
        raise RuntimeError("the flow asked too many questions in one request")
    effects.apply(db, events, call, state, now)
    call_rows.save(db, call)
    if not durable:
        _commit_without_waiting_for_disk(db)
    db.commit()
    effects.after_commit(events, call)
    response = render(events, call.step_token)
    if if_silent is not None and not any(verb.name in TURN_VERBS for verb in response.verbs):
        response = if_silent(flow, state, response, call.step_token)
    answer = str(response)
    if rotate:
        step_tokens.remember(current_app.config, call.call_sid, route, token, answer)
    return twiml(answer)


def _claim_step(db: Session, call: CallRow) -> bool:
    """Replace the call's step token; False if another request replaced it first."""
    new = step_tokens.new_token()
    if call.id is None:  # first sight: the insert is the claim (a race reruns the request)
        call.step_token = new
        return True
    return call_rows.set_if_unchanged(db, call, ("step_token",), step_token=new)


def _is_current(call: CallRow, token: str | None) -> bool:
    # a call without a token answered before tokens existed: its next request acts
    return call.step_token is None or token == call.step_token


def _not_current(flow: Flow, call: CallRow, now: datetime, *, route: str, token: str | None, holding: bool):
    """A request that may not act: a repeat of one that did gets that answer again;
    anything else (stale, forged) hears where the call is, and nothing changes."""
    answer = step_tokens.recall(current_app.config, call.call_sid, route, token)
    if answer is not None:
        return twiml(answer)
    log.info("call %s: a %s request with a stale step token changed nothing", call.call_sid, route)
    if holding:
        return twiml(hold_music())
    state = CallState.from_json(call.state) if call.state else None
    response = render(engine.again(flow, state, now=now) if state else [], call.step_token)
    if not any(verb.name in TURN_VERBS for verb in response.verbs):
        return twiml(degraded())
    return twiml(response)


# Verbs after which Twilio has more to do on the call; a reply without one ends it.
TURN_VERBS = {"Gather", "Enqueue", "Leave", "Dial", "Hangup", "Redirect", "Record", "Reject"}


def _back_in_line(flow: Flow, state: CallState, response: VoiceResponse, token: str | None) -> VoiceResponse:
    """A Gather's answer for a caller the flow has in the queue (a stale or repeated
    request, answered as the flow answers a key pressed while holding): Twilio has
    them outside the queue, so the reply alone would hang up on them.  Put them back
    in line after it (routing keeps their first join time)."""
    node = flow.nodes.get(state.at) if state.at else None
    if isinstance(node, QueueNode):
        for verb in render([Enqueue(node.queue)], token).verbs:
            response.append(verb)
        return response
    if response.verbs:
        return response  # the flow's own goodbye
    return degraded()


def _hold_music(_flow: Flow, _state: CallState, response: VoiceResponse, _token: str | None) -> VoiceResponse:
    """In the wait music, nothing to say means: keep holding (an empty waitUrl
    reply would have Twilio ask again at once, in a tight loop)."""
    if response.verbs:
        return response  # an announcement; Twilio comes back to the waitUrl after it
    response.play(media_url("hold_music"))
    return response


def _commit_without_waiting_for_disk(db: Session) -> None:
    """For a queue poll only: what it stores (which announcement came last, a KPI event)
    is worth less than the few milliseconds PostgreSQL waits for its log to reach the
    disk on every commit.  A crash of the database server may lose the last such
    commits (never corrupting anything): the caller then hears a position again."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _resume(event, if_silent=None, durable: bool = True, *, route: str, consumes: bool = True,
            if_unknown=None) -> object:
    """Step the call with EVENT if the request carries the current step token.  Queue
    polls and keys (CONSUMES False) carry the queue visit's token and leave it for the
    Enqueue's action.  IF_UNKNOWN: what a call with no flow state (never seen, or its
    state lost) is answered instead of the greeting, storing nothing; None starts afresh."""
    db, now, flow = session(), clock.now(), current_flow()
    call = _call_row(db, _call_sid(), now)
    if not call.state and if_unknown is not None:
        db.rollback()
        log.info("call %s: a %s request for a call with no state; answered without the flow",
                 call.call_sid, route)
        return twiml(if_unknown())
    token = request.args.get(step_tokens.PARAM)
    if not _is_current(call, token):
        db.rollback()
        return _not_current(flow, call, now, route=route, token=token, holding=not consumes)
    if not call.state:  # state lost (or a webhook for a call we never saw): start afresh
        before = None
        state, events = engine.start(flow, Trigger(call.call_sid, call.caller), now=now)
    else:
        before = CallState.from_json(call.state)
        state, events = engine.resume(flow, before, event, now=now)
    # a request that changed nothing (the queue telling us the caller was redirected)
    # leaves the token for the requests still to come on the same URLs
    rotate = consumes and (bool(events) or state != before)
    return _run(db, flow, call, state, events, now, if_silent, durable, route=route, token=token, rotate=rotate)


def _word(value: str | None, length: int) -> str | None:
    """A Twilio status word (``outbound-api``) fit to store, or None for anything else."""
    value = (value or "")[:length]
    return value if re.fullmatch(r"[a-z][a-z-]*", value) else None


# Twilio's StirVerstat: TN-Validation-Passed-A, TN-Validation-Failed-B, No-TN-Validation, ...
STIR_VERSTAT = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,39}")


def _stir_verstat() -> str | None:
    """Twilio's STIR/SHAKEN attestation of the caller ID, fit to store, or None."""
    value = request.form.get("StirVerstat", "").strip()
    return value if STIR_VERSTAT.fullmatch(value) else None


def _int(name: str) -> int | None:
    """A whole number Twilio sent (ASCII digits that fit an INTEGER column), or None."""
    value = request.form.get(name, "").strip()
    return int(value) if re.fullmatch(r"-?[0-9]{1,9}", value) else None

# --- the caller's webhooks ---------------------------------------------------------------


@bp.post("/voice")
@twilio_webhook
@safe_twiml
@first_sight_races
def voice():
    db, now, flow = session(), clock.now(), current_flow()
    call = _call_row(db, _call_sid(), now)
    if call.state:  # seen before (Twilio's retry, or a replay): the greeting again, acting once
        db.rollback()
        return _not_current(flow, call, now, route="voice", token=None, holding=False)
    # the row has the caller's number already, unless a status callback made it without one
    caller = call.caller or try_e164(request.form.get("From"))
    if call.stir_verstat is None:  # a row a status callback made first may lack it
        call.stir_verstat = _stir_verstat()
    state, events = engine.start(flow, Trigger(call.call_sid, caller), now=now)
    log.info("call %s started", call.call_sid)
    return _run(db, flow, call, state, events, now, route="voice")


def _gather_input():
    form = request.form
    if form.get("Digits", "").strip():
        return Digits(form["Digits"].strip())
    if form.get("SpeechResult", "").strip():
        try:
            confidence = float(form.get("Confidence", ""))
        except ValueError:
            confidence = None
        return Speech(form["SpeechResult"], confidence)
    return Silence()


@bp.post("/step")
@twilio_webhook
@safe_twiml
@first_sight_races
def step():
    return _resume(_gather_input(), _back_in_line, route="step")


@bp.post("/queue/wait")
@twilio_webhook
@keep_holding
@first_sight_races
def queue_wait():
    # The place and the wait come from the router's order and the answer rate, not
    # Twilio's QueuePosition and AvgQueueTime (services/queue_place.py says why).
    queue = queue_place.figures(session(), _call_sid(), clock.now())
    return _resume(QueueWait(position=queue.place, wait_estimate_seconds=queue.wait_seconds,
                             waited_seconds=_int("QueueTime"), size=_int("CurrentQueueSize"),
                             staffed=queue.staffed), _hold_music,
                   durable=False, route="queue_wait", consumes=False, if_unknown=hold_music)


@bp.post("/queue/key")
@twilio_webhook
@keep_holding
@first_sight_races
def queue_key():
    return _resume(_gather_input(), _hold_music, route="queue_key", consumes=False, if_unknown=hold_music)


@bp.post("/queue/exit")
@twilio_webhook
@safe_twiml
@first_sight_races
def queue_exit():
    return _resume(QueueResult(result=request.form.get("QueueResult", "error"), waited_seconds=_int("QueueTime")),
                   route="queue_exit", if_unknown=degraded)


@bp.post("/fallback")
@twilio_webhook
def fallback():
    """Twilio's Fallback URL for the number, when /ivr/voice errors or times out."""
    return twiml(degraded())


@bp.post("/fallback/dialled")
@twilio_webhook
def fallback_dialled():
    """After the fallback Dial: a finished conversation just ends; otherwise the
    caller is told to try again (and hears 101 once more).  Needs no database."""
    if request.form.get("DialCallStatus") == "completed":
        response = VoiceResponse()
        response.hangup()
        return twiml(response)
    return twiml(try_later())

# --- status callbacks ---------------------------------------------------------------------


def _timestamp() -> datetime | None:
    try:
        return parsedate_to_datetime(request.form["Timestamp"])
    except (KeyError, TypeError, ValueError):
        return None


@bp.post("/status")
@twilio_webhook
def status():
    """Idempotent and order-proof: a status only replaces one of lower rank (or the
    same rank with a higher SequenceNumber, or without one a later Timestamp); a final
    status is never replaced, so a late "ringing" cannot undo "completed"."""
    try:
        return _status()
    except SQLAlchemyError:
        log.exception("status callback for a call could not be stored")
        rollback_quietly()
        return "", 503


@first_sight_races
def _status():
    status_name = request.form.get("CallStatus", "")
    rank = STATUS_RANK.get(status_name)
    if rank is None:
        return "", 204
    db, now = session(), clock.now()
    sequence = _int("SequenceNumber")
    sequence = -1 if sequence is None else sequence
    at = _timestamp() or now
    # Twilio sends a call's callbacks without waiting for each other, so two web workers
    # may hold two of them at once: the change is a compare-and-set on what was read,
    # and the loser reads again (each lost race means the row moved on: this ends).
    for _ in range(len(STATUS_RANK) + 1):
        call = _call_row(db, _call_sid(), now, answered=False)  # read afresh each time round
        same_rank_later = (sequence > call.status_sequence if sequence >= 0
                           else call.status_at is None or at > call.status_at)
        newer = rank > call.status_rank or (rank == call.status_rank and call.status not in FINAL_STATUSES
                                            and same_rank_later)
        if not newer:
            db.rollback()  # a call first seen here is not stored for an unknown status
            return "", 204
        values = dict(status=status_name, status_rank=rank, status_sequence=sequence, status_at=at, updated_at=now)
        if status_name in FINAL_STATUSES:
            values.update(call_status.over(db, call, at, _int("CallDuration")))
        if call.id is None:  # first sight: inserted with these values (a race reruns the request)
            for name, value in values.items():
                setattr(call, name, value)
            call_rows.save(db, call)
            db.commit()
            return "", 204
        if call_rows.set_if_unchanged(db, call, call_status.STATUS_COLUMNS, **values):
            db.commit()
            return "", 204
        db.rollback()
    return "", 503  # still racing: Twilio retries the callback
