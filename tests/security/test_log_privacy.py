"""Nothing personal in the logs.  Everything logged (every logger, DEBUG and up: the
app, RQ's workers, twilio-python, werkzeug) during a whole call, a whole survey
conversation and a case update texted by a real worker is searched for the
victim's numbers in every format, the digits they typed, the crime reference, their
name and the texts' bodies."""
from __future__ import annotations

import logging

import pytest

from sqlmodel import select

from models.callbacks import CallbackRequest
from models.db import session
from emulator.caller import Caller
from emulator.texter import Texter
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

VICTIM = "+447911123456"
OTHER = "+447911123458"  # typed on the keypad for the call-back
REFERENCE = "5201234/26"
VICTIM_NAME = "Withheld Name Marker"
COMMENT = "The officer parked by the blue lantern shop"
UPDATE = "Property recovered from the lock-up garage"

SECRETS = [
    VICTIM, "447911123456", "07911123456", "07911 123456", "7911123456", "7911 123456",
    OTHER, "447911123458", "07911123458", "7911123458",
    REFERENCE, "520123426", VICTIM_NAME, COMMENT, "blue lantern", UPDATE, "lock-up garage",
]


def _logged(records) -> list[str]:
    lines = []
    for record in records:
        lines.append(f"{record.name}: {record.getMessage()} {record.args!r} {record.exc_text or ''}")
    return lines


@pytest.fixture
def libraries_at_debug():
    """Every library logger at DEBUG for one test, then back as it was (a level left
    behind would change what later tests' logs hold)."""
    names = ("rq", "rq.worker", "werkzeug", "twilio", "twilio.http_client", "urllib3")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def test_a_call_a_conversation_and_a_texted_update_log_nothing_personal(
        app, api, client, clock, caplog, fake_twilio, run_workers, libraries_at_debug):
    caplog.set_level(logging.DEBUG)

    # the case system registers the case (victim's number as officers type it)
    created = api.post("/cases", {"crime_reference": REFERENCE, "victim_phone": "07911 123456",
                                  "victim_name": VICTIM_NAME, "officer_name": "PC 4521 Lambeth",
                                  "contact": {"sms_allowed": True, "update_detail": "full",
                                              "full_detail_by_text": True}})
    assert created.status_code == 201, created.json
    case_id = created.json["id"]

    # a call: the case update by typed reference, then a call-back to another typed number
    call = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=VICTIM, to=DESK_NUMBER,
                  status_url="/ivr/status", clock=clock).dial()
    call.press("1")
    call.press("520123426#")
    call.hang_up()
    callback = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=VICTIM, to=DESK_NUMBER,
                      status_url="/ivr/status", clock=clock).dial()
    for keys in ("3", "2", "07911123458#", "1", "1", "4", "1"):
        if callback.ended:
            break
        callback.press(keys)
    with app.app_context():
        booked = session().exec(select(CallbackRequest)).all()
    assert [b.phone for b in booked] == [OTHER], "the call did not book the call-back it was meant to"

    # a survey: the invitation sent by a worker, a rating and a comment by text
    engagement = api.post("/engagements", {"officer_id": "MP1234", "officer_name": "PC 4521 Lambeth",
                                           "borough": "Lambeth", "victim_phone": "07911 123456",
                                           "crime_reference": REFERENCE,
                                           "occurred_at": "2026-11-23T09:30:00+00:00"})
    assert engagement.status_code == 201, engagement.json
    clock.advance(minutes=61)
    from workers.outbox import sweep_outbox

    run_workers()
    with app.app_context():
        sweep_outbox()
    run_workers()
    assert fake_twilio.messages_to(VICTIM), "the survey invitation was not sent"
    phone = Texter(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=VICTIM, to=DESK_NUMBER)
    assert phone.send("5")
    assert phone.send(COMMENT)
    phone.send("UPDATE")

    # a case update, texted by a worker; Twilio's answer is lost, so the worker looks the
    # text up at Twilio by the victim's number before deciding whether to send again
    fake_twilio.timeout_next(1, delay=2.0, created=True, on="Messages")
    posted = api.post(f"/cases/{case_id}/updates", {"message": UPDATE})
    assert posted.status_code == 201, posted.json
    run_workers()
    with app.app_context():
        sweep_outbox()
    run_workers()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)].count(
        next(m["body"] for m in fake_twilio.messages_to(VICTIM) if UPDATE in m["body"])) == 1, "texted once"
    assert any(r.method == "GET" and "Messages" in r.path for r in fake_twilio.requests), "the look-up ran"

    lines = _logged(caplog.records)
    assert len(lines) > 20, "nothing was logged: the capture is not working"
    assert any(line.startswith("rq.") for line in lines), "RQ's worker logs were not captured"
    leaks = [(secret, line[:300]) for line in lines for secret in SECRETS if secret in line]
    assert leaks == [], "personal data in the logs:\n" + "\n".join(f"{s!r} in {line}" for s, line in leaks)
