"""Twilio messaging webhooks: inbound texts and delivery-status callbacks."""
from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, request
from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from desk import clock
from desk.redact import pseudonym
from desk.signature import twilio_sid, twilio_webhook
from desk.twiml import twiml
from flows.phone import try_e164
from flows.sms_texts import render
from models.db import core, session
from models.surveys import InboundMessage
from services.outbox import apply_delivery_status
from sms import inbound as handling

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


def reply_with(text: str | None) -> Response:
    """The reply text as TwiML (no message at all when TEXT is empty)."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return twiml(response)


# Core statements, built once: every inbound text runs both (models/call_rows.py says why)
INBOUND = InboundMessage.__table__
_BY_SID = select(INBOUND.c.reply).where(INBOUND.c.message_sid == bindparam("sid"))
_BY_SID_OR_TOKEN = select(INBOUND.c.reply).where(or_(INBOUND.c.message_sid == bindparam("sid"),
                                                     INBOUND.c.idempotency_token == bindparam("token")))


def _seen(db, sid: str, token: str | None):
    """The earlier answer's row (``.reply``) to this message, or None if it is new."""
    if token:
        return core(db).execute(_BY_SID_OR_TOKEN, {"sid": sid, "token": token}).first()
    return core(db).execute(_BY_SID, {"sid": sid}).first()


@bp.post("/inbound")
@twilio_webhook
def inbound():
    sid = twilio_sid(request.form.get("MessageSid") or request.form.get("SmsMessageSid"))
    if not sid:
        abort(400, description="MessageSid is required, as Twilio sends it")
    db = session()
    try:
        return _answer(db, sid)
    except Exception:
        # Twilio does not retry an inbound text: a 500 would leave the texter with no
        # answer at all.  Whether or not the number has a case, they get the same words.
        log.exception("inbound %s could not be handled; answered neutrally", sid)
        try:
            db.rollback()
        except Exception:  # noqa: BLE001 - the database may be the thing that is down
            log.debug("rollback failed", exc_info=True)
        return reply_with(render("received"))


def _answer(db, sid: str) -> Response:
    # Twilio's tokens are short; a longer one cannot be stored, and only dedupes
    token = (request.headers.get(IDEMPOTENCY_HEADER) or "")[:100] or None
    phone = try_e164(request.form.get("From"))
    if (done := _seen(db, sid, token)) is not None:
        log.info("inbound %s repeated; answering as before", sid)
        return reply_with(done.reply)
    try:
        body = request.form.get("Body", "").replace("\x00", "")  # no phone sends one; no column holds one
        outcome = handling.handle(db, phone, body, sid, clock.now())
        # The message's row goes in with what it did: a concurrent duplicate's commit then
        # fails on the unique MessageSid, undoing its own handling, and answers as this one
        sender = pseudonym(phone)
        core(db).execute(insert(INBOUND), {
            "message_sid": sid, "idempotency_token": token, "from_pseudonym": sender, "received_at": clock.now(),
            "action": outcome.action, "reply": outcome.reply, "survey_id": outcome.survey_id})
        db.commit()
    except IntegrityError:
        db.rollback()
        db.info.pop("after_commit_jobs", None)
        done = _seen(db, sid, token)
        return reply_with(done.reply if done else None)
    handling.run_after_commit_jobs(db)
    log.info("inbound %s from %s: %s", sid, sender, outcome.action)
    return reply_with(outcome.reply)


@bp.post("/status")
@twilio_webhook
def status():
    sid = twilio_sid(request.form.get("MessageSid") or request.form.get("SmsSid"))
    if not sid:
        abort(400, description="MessageSid is required, as Twilio sends it")
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
