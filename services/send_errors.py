"""What a Twilio error means for a text, from Twilio's documented codes, and the pause
that a fault in our own set-up puts on all sending.

- ``RECIPIENT``: the number cannot (or must not) get this text: the row fails for
  good and nothing is retried (21610 also records the opt-out).
- ``TEMPORARY``: Twilio is busy or away (429/20429, 5xx, 21611 "queue full",
  timeouts): retried with backoff, until the text is ``SMS_RETRY_MAX_AGE_HOURS`` old.
- ``CONFIGURATION``: our account, token or sending number is wrong (20003 after a
  token rotation, 21606 a sender that cannot text).  Every text would fail the same
  way, so no row is failed: sending pauses for ``PAUSE_SECONDS`` (one text then
  tries again), the pause is logged as an error and counted
  (``desk_sms_sending_paused_total``, and the ``desk_sms_sending_paused`` gauge while
  it lasts), and the texts wait owed.
An error not on these lists is treated as temporary: a text is never lost to a code
we did not expect, and the age limit still ends it.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from enum import Enum

from desk import clock, settings
from desk.metrics import SMS_SENDING_PAUSED
from desk.redis_conn import connect

log = logging.getLogger(__name__)


class ErrorKind(str, Enum):
    RECIPIENT = "recipient"
    TEMPORARY = "temporary"
    CONFIGURATION = "configuration"


OPTED_OUT_CODES = frozenset({21610})  # the recipient replied STOP
INVALID_NUMBER_CODES = frozenset({21211, 21217, 21401, 21407, 21614})  # not a number that can get texts
RECIPIENT_CODES = OPTED_OUT_CODES | INVALID_NUMBER_CODES | frozenset({
    21612,  # Twilio cannot route to this number
    21635,  # a landline
    21408,  # no permission to text that region (only ever this number's country)
})
TEMPORARY_CODES = frozenset({20429, 20500, 20503, 21611, 30001})
CONFIGURATION_CODES = frozenset({
    20003,  # authentication failed: the token was rotated, or the account SID is wrong
    20005,  # the account is not active
    20008,  # a test credential used for a real send
    20404,  # the account (or resource) does not exist
    21212, 21601, 21606, 21659, 21660, 21661,  # the From number is not ours, or cannot text
    21608,  # a trial account texting an unverified number
})

PAUSE_KEY = "outbox:paused"
PAUSE_SECONDS = 60


def classify(code: int | None, status: int | None) -> ErrorKind:
    """The kind of a Twilio REST error (its code, else its HTTP status)."""
    if code in CONFIGURATION_CODES or (code is None and status in (401, 403)):
        return ErrorKind.CONFIGURATION
    if code in RECIPIENT_CODES:
        return ErrorKind.RECIPIENT
    return ErrorKind.TEMPORARY  # TEMPORARY_CODES, 429, 5xx, and anything unexpected


def pause(code: int | None, status: int | None) -> datetime:
    """Stop all sending for PAUSE_SECONDS (on the desk clock); when it ends."""
    until = clock.now().timestamp() + PAUSE_SECONDS
    value = json.dumps({"code": code, "status": status, "until": until})
    connect(settings.current()).set(PAUSE_KEY, value, ex=PAUSE_SECONDS + 3600)
    SMS_SENDING_PAUSED.labels(str(code)).inc()
    log.error("SMS sending paused for %s s: Twilio refused our own set-up (HTTP %s, error %s); "
              "check TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER. No text is failed: "
              "they wait and are sent once Twilio accepts them", PAUSE_SECONDS, status, code)
    return datetime.fromtimestamp(until, clock.now().tzinfo)


def paused() -> dict | None:
    """The pause in force ({code, status, until}), or None."""
    raw = connect(settings.current()).get(PAUSE_KEY)
    if not raw:
        return None
    value = json.loads(raw)
    return value if value["until"] > clock.now().timestamp() else None


def pause_ends(pause_: dict) -> datetime:
    return datetime.fromtimestamp(pause_["until"], clock.now().tzinfo)
