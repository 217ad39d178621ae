"""Twilio messaging webhooks: inbound texts (and their fallback URL) and delivery-status callbacks."""
from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, request
from twilio.twiml.messaging_response import MessagingResponse

from desk import clock
from desk.redact import pseudonym
from desk.signature import twilio_sid, twilio_webhook
from desk.twiml import twiml
from flows.phone import try_e164
from flows.sms_texts import render
from models.db import session
from services import inbound_spool, inbound_texts
from services.outbox import apply_delivery_status

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


def reply_with(text: str | None) -> Response:
    """The reply text as TwiML (no message at all when TEXT is empty)."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return twiml(response)


def _message_sid(older_name: str) -> str:
    """The message's SID (Twilio also sends it under an older name); 400 if it is missing."""
    sid = twilio_sid(request.form.get("MessageSid") or request.form.get(older_name))
    if not sid:
        abort(400, description="MessageSid is required, as Twilio sends it")
    return sid


@bp.post("/inbound")
@twilio_webhook
def inbound():
    sid = _message_sid("SmsMessageSid")
    db = session()
    try:
        return _answer(db, sid)
    except Exception:
        # Twilio does not retry an inbound text: a 500 would lose it and leave the texter
        # with no answer.  It is kept for the replay job; whether or not the number has a
        # case, they get the same words.
        log.exception("inbound %s could not be handled; spooled and answered neutrally", sid)
        try:
            db.rollback()
        except Exception:  # noqa: BLE001 - the database may be the thing that is down
            log.debug("rollback failed", exc_info=True)
        return _spooled(sid)


@bp.post("/fallback")
@twilio_webhook
def fallback():
    """The number's "primary handler fails" URL: Twilio calls it when /sms/inbound errs or
    times out.  The database is not touched; the replay job handles the text (once: if
    the primary stored it after all, the replay finds its MessageSid)."""
    sid = _message_sid("SmsMessageSid")
    log.warning("inbound %s reached the fallback URL (code %s)", sid,
                request.form.get("ErrorCode", "")[:9] or "-")
    return _spooled(sid)


def _spooled(sid: str) -> Response:
    try:
        inbound_spool.keep(inbound_spool.from_form(request.form, sid, _token(), clock.now()))
    except Exception:  # noqa: BLE001 - the neutral answer still goes; the log says what was lost
        log.exception("inbound %s could not be spooled either", sid)
    return reply_with(render("received"))


def _token() -> str | None:
    # Twilio's tokens are short; a longer one cannot be stored, and only dedupes
    return (request.headers.get(IDEMPOTENCY_HEADER) or "")[:100] or None


def _answer(db, sid: str) -> Response:
    phone = try_e164(request.form.get("From"))
    body = request.form.get("Body", "").replace("\x00", "")  # no phone sends one; no column holds one
    received = inbound_texts.receive(db, sid, phone, body, clock.now(), token=_token())
    if received.outcome is None:
        log.info("inbound %s repeated; answering as before", sid)
    else:
        log.info("inbound %s from %s: %s", sid, pseudonym(phone), received.outcome.action)
    return reply_with(received.reply)


@bp.post("/status")
@twilio_webhook
def status():
    sid = _message_sid("SmsSid")
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if re.fullmatch(r"[a-z_-]{1,20}", state):  # Twilio's status words; anything else is not logged
        db = session()
        # Twilio's error codes are five digits; "²" or forty nines would break the write
        code = request.form.get("ErrorCode", "")
        known = apply_delivery_status(db, sid, state, code if re.fullmatch(r"[0-9]{1,9}", code) else None)
        db.commit()
        if not known:
            log.info("status %s for unknown message %s", state, sid)
    return "", 204
