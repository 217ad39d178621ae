"""Twilio's identifiers are two letters and 32 hex digits.  A signed request can still
carry anything in them (a leaked auth token, a replayed and edited request): a value
of another shape is never used and never logged; where the webhook cannot work
without it, the answer is 400."""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest

from desk.signature import twilio_sid
from tests.support.numbers import VICTIM
from tests.support.routes import concrete, twilio_rules
from tests.support.service import ACCOUNT_SID, DESK_NUMBER

# newlines forge log lines; right-to-left marks reorder what a reader sees
ODD = ["CA0123\nINFO forged line", "SM\u202e" + "0" * 32, "CA" + "g" * 32, "CA" + "0" * 31,
       "ca" + "0" * 32, "C1" + "0" * 32]
# what would show in a log line that held the value (a newline may be escaped there)
MARKERS = {ODD[0]: "forged line", ODD[1]: "\u202e", ODD[2]: "g" * 32, ODD[3]: "CA" + "0" * 31,
           ODD[4]: "ca" + "0" * 32, ODD[5]: "C1" + "0" * 32}
SID_NAMES = ["CallSid", "MessageSid", "SmsSid", "SmsMessageSid", "AccountSid", "QueueSid", "ParentCallSid",
             "DialCallSid", "RecordingSid", "DequeingCallSid", "MessagingServiceSid"]


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_odd_values_are_not_sids(value):
    assert twilio_sid(value) is None


def test_sids_of_the_documented_shape_are():
    for sid in ("CA" + "0123456789abcdef" * 2, "SM" + "f" * 32, "AC" + "a1" * 16):
        assert twilio_sid(sid) == sid


def _logged(records) -> str:
    return "\n".join(f"{r.name}: {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records)


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_no_webhook_logs_an_odd_sid(app, twilio_post, caplog, value):
    caplog.set_level(logging.DEBUG)
    for rule in twilio_rules(app):
        params = {name: value for name in SID_NAMES}
        params.update({"From": VICTIM, "To": DESK_NUMBER, "Body": "HELP", "CallStatus": "completed",
                       "MessageStatus": "delivered", "Direction": "inbound"})
        response = twilio_post(concrete(rule), params, query={"CallSid": value})
        assert response.status_code < 500, (rule.rule, response.status_code)
    logged = _logged(caplog.records)
    assert MARKERS[value] not in logged, f"{value!r} logged:\n{logged[:3000]}"


def test_an_odd_sid_where_one_is_required_is_a_400(twilio_post):
    sms = twilio_post("/sms/inbound", {"MessageSid": ODD[0], "AccountSid": ACCOUNT_SID, "From": VICTIM,
                                       "To": DESK_NUMBER, "Body": "HELP"})
    assert sms.status_code == 400
    status = twilio_post("/sms/status", {"MessageSid": ODD[1], "MessageStatus": "delivered"})
    assert status.status_code == 400
    voice = twilio_post("/ivr/voice", {"CallSid": ODD[0], "AccountSid": ACCOUNT_SID, "From": VICTIM,
                                       "To": DESK_NUMBER, "CallStatus": "ringing"})
    assert voice.status_code == 400


def test_the_caller_still_hears_the_fallback(twilio_post):
    """Twilio answers a 400 on the voice URL from the number's Fallback URL, with the
    same parameters: that webhook needs no CallSid and answers the 999 notice."""
    params = {"CallSid": ODD[0], "AccountSid": ODD[1], "From": VICTIM, "To": DESK_NUMBER, "CallStatus": "ringing"}
    response = twilio_post("/ivr/fallback", params)
    assert response.status_code == 200
    root = ET.fromstring(response.get_data(as_text=True))
    assert "999" in " ".join("".join(el.itertext()) for el in root.iter("Say"))


def test_an_odd_optional_sid_is_dropped_not_refused(twilio_post):
    params = {"MessageSid": "SM" + "7" * 32, "AccountSid": ODD[0], "MessagingServiceSid": ODD[1],
              "From": VICTIM, "To": DESK_NUMBER, "Body": "HELP"}
    response = twilio_post("/sms/inbound", params)
    assert response.status_code == 200 and b"<Message>" in response.get_data()

