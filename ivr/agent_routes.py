"""Twilio webhooks for the agent's side of desk calls and for callbacks.

The router (services/routing.py) rings an agent with ``?offer=<id>`` in every URL it
gives Twilio, so each request here names the offer it is about (the signature covers
the query string, so it cannot be forged).

Queue call:  answer (whisper + "press 1") -> accept -> <Dial><Queue url=connecting>desk
             -> dial-result (wrap-up).  The <Queue url> TwiML is played to the CALLER
             being dequeued (Twilio's documented behaviour), so the agent's whisper is
             said in the answer TwiML, before the Dial.
Callback:    answer (whisper + "press 1") -> accept.  Whoever answers the victim's
             phone hears the agent at once: no synchronous AMD anywhere (it left the
             victim in seconds of silence, and hung up on people it took for machines).
             No voicemail consent: <Dial action=callback/dial-result><Number
             url=callback/screen>victim</Number></Dial>, no AMD at all; a machine hears
             the agent, who hangs up.  Consent: the victim's call is placed over REST
             with asynchronous AMD (<Number> has none): callback/answered bridges it to
             the agent waiting in a private queue; if callback/amd later hears a machine
             (after the beep) the live call is switched to the neutral voicemail.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from desk import clock, settings
from desk.signature import twilio_sid, twilio_webhook
from desk.twiml import twiml
from flows import agent_prompts as P
from flows import dispatch as rules
from flows.phone import spoken_phone
from ivr.safe_answer import answers_safely
from ivr.voices import add_say, voice
from models import call_rows
from models.agents import AgentOffer, OfferKind, OfferStatus
from models.db import session
from services import agent_state, callbacks, waiting
from services.routing import place_victim_call, replace_call_twiml, request_dispatch, request_pull

log = logging.getLogger(__name__)

bp = Blueprint("ivr_agent", __name__, url_prefix="/ivr/agent")

TERMINAL_MISSED = {"no-answer", "busy", "failed", "canceled"}
QUEUE_RESULTS = {"bridged": "completed"}  # the agent's private <Enqueue> (consent callbacks)
OFFER_ID = re.compile(r"[0-9]{1,9}")  # fits a 32-bit INTEGER key


def say_and_hang_up(text: str) -> Response:
    response = VoiceResponse()
    response.say(text, **voice("en"))
    response.hangup()
    return twiml(response)


def _connecting_only() -> VoiceResponse:
    response = VoiceResponse()
    text, language = P.victim_text("en", "connecting")
    response.say(text, **voice(language))
    return response


def _bridge_anyway() -> VoiceResponse:
    response = _connecting_only()
    response.dial().queue(f"agent-offer-{request.args.get('offer', '')}")
    return response


def _offer() -> AgentOffer | None:
    # ASCII digits that fit the key column: int() would also take "٣", "1_0" or forty
    # nines, which no offer URL of ours holds (and the database cannot compare)
    raw = request.args.get("offer", "")
    return session().get(AgentOffer, int(raw)) if OFFER_ID.fullmatch(raw) else None


def _url(path: str, offer: AgentOffer) -> str:
    return f"/ivr/agent/{path}?offer={offer.id}"


def _dispatch_soon() -> None:
    try:
        request_dispatch()
    except Exception:  # noqa: BLE001 - Redis away: the periodic sweep will catch up
        log.exception("could not request a dispatch")


def _commit_and_dispatch() -> None:
    session().commit()
    _dispatch_soon()


# --- the agent answers -------------------------------------------------------------

@bp.post("/answer")
@twilio_webhook
def answer():
    """The agent picked up: whisper what the call is, then wait for 1."""
    db, now = session(), clock.now()
    offer = _offer()
    if offer is None or offer.status != OfferStatus.RINGING.value:
        return say_and_hang_up(P.AGENT["no_longer_needed"])
    if offer.agent_call_sid is None and twilio_sid(request.form.get("CallSid")):
        offer.agent_call_sid = twilio_sid(request.form.get("CallSid"))
    offer.answered_at = offer.answered_at or now
    db.add(offer)
    if offer.kind == OfferKind.QUEUE.value:
        caller = waiting.caller_info(db, offer.caller_call_sid)
        if caller is None:
            agent_state.withdrawn(db, offer, now, "caller_left")
            _commit_and_dispatch()
            return say_and_hang_up(P.AGENT["gone"])
        whisper = P.queue_whisper(waited_seconds=int((now - caller.joined_at).total_seconds()),
                                  verified=caller.verified, language=caller.language, vawg=caller.vawg)
        prompt = P.AGENT["press_to_take"]
    else:
        cb = callbacks.get(db, offer.callback_id)
        if cb is None or cb.status != callbacks.IN_PROGRESS or cb.agent_id != offer.agent_id:
            agent_state.withdrawn(db, offer, now, "not_due")
            _commit_and_dispatch()
            return say_and_hang_up(P.AGENT["not_due"])
        whisper = P.callback_whisper(attempt=cb.attempts + 1, max_attempts=callbacks.policy().max_attempts,
                                     verified=bool(cb.verified_case_id), language=cb.language,
                                     voicemail=callbacks.voicemail_permitted(db, cb))
        prompt = P.AGENT["press_to_place"]
    db.commit()
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=settings.current()["AGENT_ACCEPT_SECONDS"],
                             action=_url("accept", offer), method="POST")
    gather.say(f"{whisper} {prompt}", **voice("en"))
    response.redirect(_url("no-key", offer), method="POST")  # Gather timed out
    return twiml(response)


@bp.post("/no-key")
@twilio_webhook
def no_key():
    """Answered but nobody pressed 1 (or voicemail picked up): a missed call."""
    db, now = session(), clock.now()
    offer = _offer()
    if offer is not None:
        agent_state.missed(db, offer, now, "no_key")
        _commit_and_dispatch()
    return say_and_hang_up(P.AGENT["no_key"])


@bp.post("/accept")
@twilio_webhook
def accept():
    db, now = session(), clock.now()
    offer = _offer()
    if offer is None or offer.status != OfferStatus.RINGING.value:
        return say_and_hang_up(P.AGENT["no_longer_needed"])
    if request.form.get("Digits") != "1":
        agent_state.missed(db, offer, now, "declined")
        _commit_and_dispatch()
        return say_and_hang_up(P.AGENT["declined"])
    if offer.kind == OfferKind.QUEUE.value:
        return _connect_queue_caller(db, offer, now)
    return _place_callback(db, offer, now)


def _connect_queue_caller(db, offer: AgentOffer, now: datetime) -> Response:
    caller = waiting.caller_info(db, offer.caller_call_sid)
    if caller is None:
        agent_state.withdrawn(db, offer, now, "caller_left")
        _commit_and_dispatch()
        return say_and_hang_up(P.AGENT["gone"])
    agent_state.accepted(db, offer, now)
    response = VoiceResponse()
    response.say(P.AGENT["connecting"], **voice("en"))
    dial = response.dial(action=_url("dial-result", offer), method="POST", timeout=10)
    if waiting.is_first_waiting(db, offer.caller_call_sid):
        # <Dial><Queue> takes the caller at the front of the queue: this one.
        dial.queue(settings.current()["DESK_QUEUE_NAME"], url=_url("connecting", offer), method="POST")
        db.commit()
    else:
        # Matched past the front (e.g. language): pull this caller out by CallSid and
        # have them dial the agent, who waits in a queue of their own.
        db.commit()
        request_pull(offer.id)
        response = VoiceResponse()
        response.say(P.AGENT["connecting"], **voice("en"))
        response.enqueue(private_queue(offer), wait_url=_url("hold", offer), wait_url_method="POST",
                         action=_url("dial-result", offer), method="POST")
    return twiml(response)


def private_queue(offer: AgentOffer) -> str:
    return f"agent-offer-{offer.id}"  # (also in _bridge_anyway)


@bp.post("/connecting")
@twilio_webhook
@answers_safely(_connecting_only)
def connecting():
    """<Queue url>: played to the caller being dequeued, just before the bridge.
    CallSid is the caller; DequeingCallSid the agent's call."""
    db, now = session(), clock.now()
    offer = _offer()
    caller_sid = request.form.get("CallSid")
    language = "en"
    if offer is not None:
        agent_state.connected(db, offer, now)
        info = waiting.caller_info(db, caller_sid, include_connected=True)
        language = info.language if info else "en"
        waiting.record_connected(db, caller_sid, offer.agent_id, now)
        db.commit()
    text, language = P.victim_text(language, "connecting")
    response = VoiceResponse()
    response.say(text, **voice(language))
    return twiml(response)


@bp.post("/hold")
@twilio_webhook
def hold():
    """Wait TwiML for an agent parked in their own queue while the caller is pulled
    out of the desk queue.  If the caller cannot come (they left), let the agent go."""
    db, now = session(), clock.now()
    offer = _offer()
    response = VoiceResponse()
    try:
        held = int(request.form.get("QueueTime", "0"))
    except ValueError:
        held = 0
    if offer is not None and offer.status == OfferStatus.ACCEPTED.value \
            and held > settings.current()["AGENT_PULL_WAIT_SECONDS"]:
        # the caller never arrived (they hung up as they were taken out of the queue)
        agent_state.withdrawn(db, offer, now, "caller_never_arrived")
        _commit_and_dispatch()
    if offer is None or offer.status not in (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value):
        response.leave()  # the Enqueue action (dial-result) tells the agent
        return twiml(response)
    response.pause(length=2)
    return twiml(response)


@bp.post("/bridge")
@twilio_webhook
@answers_safely(_bridge_anyway)
def bridge():
    """The caller, taken out of the desk queue by CallSid, dials the waiting agent."""
    db, now = session(), clock.now()
    offer = _offer()
    caller_sid = request.form.get("CallSid")
    info = waiting.caller_info(db, caller_sid, include_connected=True) if caller_sid else None
    text, language = P.victim_text(info.language if info else "en", "connecting")
    response = VoiceResponse()
    if offer is None or offer.status not in (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value):
        # The agent has gone: straight back into the desk queue, with the voice side's
        # wait music and exit handling.  Routing goes by first join time, so the
        # caller keeps their turn even though Twilio puts them at the back.
        # the queue's URLs carry the caller's current step token (ivr/step_tokens.py)
        row = call_rows.load(db, caller_sid) if caller_sid else None
        token = row.step_token if row is not None else None
        response.enqueue(settings.current()["DESK_QUEUE_NAME"], action=url_for("ivr.queue_exit", step=token),
                         method="POST", wait_url=url_for("ivr.queue_wait", step=token), wait_url_method="POST")
        _dispatch_soon()
        return twiml(response)
    agent_state.connected(db, offer, now)
    waiting.record_connected(db, caller_sid, offer.agent_id, now)
    db.commit()
    response.say(text, **voice(language))
    dial = response.dial()
    dial.queue(private_queue(offer))
    return twiml(response)


@bp.post("/dial-result")
@twilio_webhook
def dial_result():
    """The <Dial><Queue> (or the agent's private <Enqueue>) is over."""
    db, now = session(), clock.now()
    offer = _offer()
    if offer is None:
        return say_and_hang_up(P.AGENT["no_longer_needed"])
    status = request.form.get("DialCallStatus") or request.form.get("QueueResult") or ""
    status = status if re.fullmatch(r"[a-z-]{1,30}", status) else ""  # stored as the reason below
    if status in ("completed", "bridged", "answered"):
        talked = _dial_seconds()
        agent_state.ended(db, offer, now, "completed", talked_seconds=talked)
        _commit_and_dispatch()
        if talked == 0:  # nobody spoke: no wrap-up (services/agent_state.py)
            return say_and_hang_up(P.AGENT["call_ended_no_wrap_up"])
        _wrap_up_timer()
        return say_and_hang_up(P.AGENT["call_ended"].format(wrap=settings.current()["AGENT_WRAP_UP_SECONDS"]))
    # Nobody to connect: the caller left between the whisper and the bridge.
    agent_state.withdrawn(db, offer, now, f"dial_{status or 'unknown'}"[:40])
    _commit_and_dispatch()
    return say_and_hang_up(P.AGENT["gone"])


def _dial_seconds() -> int | None:
    """Twilio's DialCallDuration (how long the bridged call lasted), or None."""
    value = request.form.get("DialCallDuration", "").strip()
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def _wrap_up_timer() -> None:
    """Ring again once wrap-up is over (the dispatch also checks, so this is a nudge)."""
    try:
        request_dispatch(delay=timedelta(seconds=settings.current()["AGENT_WRAP_UP_SECONDS"]) + timedelta(seconds=1))
    except Exception:  # noqa: BLE001
        log.exception("could not schedule the end of wrap-up")


# --- status callbacks for the agent's call ----------------------------------------

@bp.post("/status")
@twilio_webhook
def status():
    """Call progress of the agent leg.  Idempotent; safe in any order."""
    db, now = session(), clock.now()
    offer = _offer()
    if offer is None:
        return "", 204
    call_status = request.form.get("CallStatus", "")
    if offer.agent_call_sid is None and twilio_sid(request.form.get("CallSid")):
        offer.agent_call_sid = twilio_sid(request.form.get("CallSid"))
        db.add(offer)
    if call_status in TERMINAL_MISSED:
        agent_state.missed(db, offer, now, call_status)
    elif call_status == "completed":
        if offer.status == OfferStatus.RINGING.value:
            agent_state.missed(db, offer, now, "hung_up")  # answered, but never took it
        elif offer.kind == OfferKind.QUEUE.value:
            agent_state.ended(db, offer, now, "agent_hung_up")
        # A callback's outcome comes with its Dial action (callback/dial-result), which
        # may arrive after this; the dispatcher's sweep closes attempts that never get one.
    _commit_and_dispatch()
    return "", 204


# --- callbacks ---------------------------------------------------------------------

def _place_callback(db, offer: AgentOffer, now: datetime) -> Response:
    cb = callbacks.get(db, offer.callback_id)
    if cb is None or cb.status != callbacks.IN_PROGRESS or cb.agent_id != offer.agent_id \
            or not callbacks.desk_open(now) or not callbacks.safe_now(db, cb, now):
        agent_state.withdrawn(db, offer, now, "not_due")
        _commit_and_dispatch()
        return say_and_hang_up(P.AGENT["not_due"])
    agent_state.accepted(db, offer, now)
    attempt = callbacks.start_attempt(db, cb, offer.agent_id, offer.agent_call_sid, now)
    offer.callback_attempt_id = attempt.id
    db.add(offer)
    voicemail = callbacks.voicemail_permitted(db, cb)
    db.commit()
    response = VoiceResponse()
    response.say(P.AGENT["calling_victim"].format(
        machine=P.AGENT["machine_message" if voicemail else "machine_silent"]), **voice("en"))
    if voicemail:
        return _place_with_async_amd(db, offer, cb, attempt, response, now)
    dial = response.dial(action=_url("callback/dial-result", offer), method="POST",
                         caller_id=current_app.config["TWILIO_PHONE_NUMBER"],
                         timeout=settings.current()["CALLBACK_RING_SECONDS"])
    # No machineDetection: the person who answers is put through at once.
    dial.number(cb.phone, url=_url("callback/screen", offer), method="POST")
    return twiml(response)


def _place_with_async_amd(db, offer: AgentOffer, cb, attempt, response: VoiceResponse, now: datetime) -> Response:
    try:
        sid = place_victim_call(offer.id, cb.phone, settings.current()["CALLBACK_RING_SECONDS"])
    except Exception:  # noqa: BLE001 - Twilio unreachable or refused: tell the agent, retry later
        log.exception("could not place callback %s", cb.id)
        _callback_leg_over(db, offer, now, rules.FAILED)
        _commit_and_dispatch()
        return say_and_hang_up(P.AGENT["cb_failed"])
    attempt.victim_call_sid = sid
    db.add(attempt)
    db.commit()
    response.enqueue(private_queue(offer), wait_url=_url("callback/hold", offer), wait_url_method="POST",
                     action=_url("callback/dial-result", offer), method="POST")
    return twiml(response)


@bp.post("/callback/screen")
@twilio_webhook
@answers_safely(VoiceResponse)  # on failure: put them through
def callback_screen():
    """<Number url> on the victim's leg once answered, before the bridge.  No AMD runs
    on this leg, so whoever answered is put through at once; even an AnsweredBy that
    says machine changes nothing (a person taken for a machine must never be hung up on)."""
    db, now = session(), clock.now()
    offer = _offer()
    response = VoiceResponse()
    attempt = callbacks.get_attempt(db, offer.callback_attempt_id) if offer else None
    if attempt is None:
        return twiml(response)  # the agent's Dial decides; never a silent hang-up
    attempt.victim_call_sid = twilio_sid(request.form.get("CallSid")) or attempt.victim_call_sid
    agent_state.connected(db, offer, now)
    db.add(attempt)
    db.commit()
    return twiml(response)


def _answered_anyway() -> VoiceResponse:
    response = VoiceResponse()
    response.dial().queue(f"agent-offer-{request.args.get('offer', '')}")
    return response


@bp.post("/callback/answered")
@twilio_webhook
@answers_safely(_answered_anyway)
def callback_answered():
    """The victim answered the REST-placed call: straight through to the agent waiting
    in their private queue (AMD carries on in the background)."""
    db, now = session(), clock.now()
    offer = _offer()
    response = VoiceResponse()
    if offer is None or offer.status not in (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value):
        # the agent has gone: a short neutral sentence, never silence
        add_say(response, P.victim_say("en", "voicemail", number=spoken_phone(current_app.config["TWILIO_PHONE_NUMBER"])))
        return twiml(response)
    agent_state.connected(db, offer, now)
    db.commit()
    response.dial().queue(private_queue(offer))
    return twiml(response)


@bp.post("/callback/hold")
@twilio_webhook
def callback_hold():
    """Wait TwiML for the agent while the victim's phone rings."""
    db = session()
    offer = _offer()
    attempt = callbacks.get_attempt(db, offer.callback_attempt_id) if offer else None
    response = VoiceResponse()
    try:
        held = int(request.form.get("QueueTime", "0"))
    except ValueError:
        held = 0
    # backstop if the victim call's status callback never comes: ringing is over by then
    too_long = held > settings.current()["CALLBACK_RING_SECONDS"] + 60
    if attempt is None or attempt.ended_at is not None or too_long \
            or offer.status not in (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value):
        response.leave()  # the Enqueue action (callback/dial-result) tells the agent
        return twiml(response)
    response.pause(length=2)
    return twiml(response)


@bp.post("/callback/victim-status")
@twilio_webhook
def callback_victim_status():
    """The REST-placed victim call is over: record no-answer/busy/failed (the agent's
    hold then leaves the queue); an answered call's outcome comes with the agent's leg."""
    db, now = session(), clock.now()
    offer = _offer()
    status = request.form.get("CallStatus", "")
    if offer is not None and status in TERMINAL_MISSED:
        _callback_leg_over(db, offer, now, rules.DIAL_STATUS_OUTCOMES.get(status, rules.FAILED))
        _commit_and_dispatch()
    return "", 204


@bp.post("/callback/amd")
@twilio_webhook
def callback_amd():
    """Asynchronous AMD verdict on a REST-placed victim call (voicemail consent only).
    A machine (after its beep): switch the live call to the neutral voicemail.  A person,
    or anything unclear: nothing changes, they are already talking to the agent."""
    db = session()
    offer = _offer()
    attempt = callbacks.get_attempt(db, offer.callback_attempt_id) if offer else None
    if attempt is None or attempt.ended_at is not None or attempt.outcome:
        return "", 204
    cb = callbacks.get(db, attempt.callback_id)
    answered_by = request.form.get("AnsweredBy", "")
    if not (answered_by.startswith("machine_end") and callbacks.voicemail_permitted(db, cb)):
        return "", 204
    # the last attempt promises no other call
    last = cb.attempts >= callbacks.policy().max_attempts
    said = P.victim_say(cb.language, "voicemail_last" if last else "voicemail",
                        number=spoken_phone(current_app.config["TWILIO_PHONE_NUMBER"]))
    message = VoiceResponse()
    add_say(message, said)
    message.hangup()
    call_sid = twilio_sid(request.form.get("CallSid")) or attempt.victim_call_sid
    # recorded first: switching the call ends the agent's bridge, whose Enqueue action
    # (callback/dial-result) closes the attempt with the first outcome recorded
    attempt.outcome = rules.VOICEMAIL_LEFT
    db.add(attempt)
    db.commit()
    try:
        replace_call_twiml(call_sid, str(message))
    except Exception:  # noqa: BLE001 - the call stays with the agent, who can speak
        log.exception("could not leave the voicemail on %s", call_sid)
        db.refresh(attempt)
        if attempt.ended_at is None:
            attempt.outcome = None
            db.add(attempt)
            db.commit()
    return "", 204


@bp.post("/callback/dial-result")
@twilio_webhook
def callback_dial_result():
    db, now = session(), clock.now()
    offer = _offer()
    if offer is None:
        return say_and_hang_up(P.AGENT["no_longer_needed"])
    dial_status = request.form.get("DialCallStatus") or QUEUE_RESULTS.get(request.form.get("QueueResult", ""), "")
    attempt = callbacks.get_attempt(db, offer.callback_attempt_id)
    if attempt is not None and attempt.victim_call_sid is None:
        attempt.victim_call_sid = twilio_sid(request.form.get("DialCallSid"))
    cb = _callback_leg_over(db, offer, now, rules.DIAL_STATUS_OUTCOMES.get(dial_status, rules.FAILED),
                            talked_seconds=_dial_seconds())
    _commit_and_dispatch()
    if attempt is None or cb is None:
        return say_and_hang_up(P.AGENT["no_longer_needed"])
    text = P.AGENT.get(f"cb_{attempt.outcome}", P.AGENT["cb_failed"])
    if cb.status == callbacks.PENDING and cb.next_attempt_at:
        at = cb.next_attempt_at.astimezone(clock.LONDON).strftime("%H:%M")
        text += " " + P.AGENT["cb_retry"].format(at=at)
        _retry_timer(cb.next_attempt_at)
    elif cb.status == callbacks.FAILED:
        text += " " + P.AGENT["cb_gave_up"]
    if attempt.outcome == rules.CONNECTED and _dial_seconds() != 0:
        _wrap_up_timer()
    return say_and_hang_up(text)


def _callback_leg_over(db, offer: AgentOffer, now: datetime, outcome: str, talked_seconds: int | None = None):
    """Close the attempt (first outcome wins) and the offer."""
    attempt = callbacks.get_attempt(db, offer.callback_attempt_id)
    if attempt is None:
        return None
    cb = callbacks.finish_attempt(db, attempt, outcome, now)
    agent_state.ended(db, offer, now, attempt.outcome, wrap_up=attempt.outcome == rules.CONNECTED,
                      talked_seconds=talked_seconds)
    return cb


def _retry_timer(at: datetime) -> None:
    try:
        request_dispatch(at=at)
    except Exception:  # noqa: BLE001
        log.exception("could not schedule the callback retry")


# --- wiring ------------------------------------------------------------------------

def init_app(app) -> None:
    app.register_blueprint(bp)
