"""The one rule for every webhook whose TwiML runs on a caller's or victim's leg:
whatever fails (the database, Redis, a bug), they still get an answer, never silence.

Each route names what it answers instead: the emergency notice and the fallback
number for the line's own steps, hold music in the queue (a failure must not drop a
caller out of line) for up to IVR_DEGRADED_HOLD_SECONDS, the connecting words on the
agent side.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from desk import settings
from desk.twiml import twiml
from ivr.fallback import fallback_response, hold_over_response
from models.db import session

log = logging.getLogger(__name__)


def answers_safely(instead: Callable[[], VoiceResponse]):
    """Decorate a caller-facing view: on any failure, roll back and answer ``instead()``."""

    def wrap(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except HTTPException:
                raise  # a malformed request (no CallSid) is not an outage
            except Exception:
                log.exception("voice webhook %s failed; answering with %s", request.path, instead.__name__)
                rollback_quietly()
                return twiml(instead())

        return wrapper

    return wrap


def rollback_quietly() -> None:
    try:
        session().rollback()
    except Exception:  # noqa: BLE001 - the database may be the thing that is down
        log.debug("rollback failed", exc_info=True)


def degraded() -> VoiceResponse:
    """The emergency notice, then the fallback number or advice to call again."""
    return fallback_response(settings.current()["FALLBACK_PHONE_NUMBER"], dial_action=url_for("ivr.fallback_dialled"))


def degraded_hold() -> VoiceResponse:
    """Hold music while the stores are down, but not for ever: once the caller has held
    IVR_DEGRADED_HOLD_SECONDS (Twilio's QueueTime, no database needed) they leave the
    queue, and the Enqueue action (which fails the same way) answers with ``degraded``:
    the fallback number.  With no fallback number they hear the emergency notice, the
    helplines and how to call again, and the call ends."""
    config = settings.current()
    held = request.form.get("QueueTime", "").strip()
    if not (held.isascii() and held.isdigit() and int(held) >= config["IVR_DEGRADED_HOLD_SECONDS"]):
        return hold_music()
    log.warning("caller held %ss in the queue with the service degraded; leaving the queue", held)
    if config["FALLBACK_PHONE_NUMBER"]:
        response = VoiceResponse()
        response.leave()
        return response
    return hold_over_response()


def hold_music() -> VoiceResponse:
    response = VoiceResponse()
    response.play(current_app.config["IVR_HOLD_MUSIC_URL"])
    return response
