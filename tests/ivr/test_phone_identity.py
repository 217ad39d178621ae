"""Identity on the phone: caller ID can be spoofed, so a case whose updates are read in
full also needs the PIN the case system set; wrong references from a number never
lock out that number's own case; wrong PINs lock the case (not the number) for the
London day; Twilio's STIR/SHAKEN attestation is kept with the call."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from desk.clock import LONDON
from flows import engine
from flows.call_flow import call_flow
from flows.model import Answer, Digits, Gather, Query, Say, Speech, Trigger
from models.calls import Call
from models.cases import Case, CaseUpdate
from models.db import session
from tests.support.golden import assert_golden
from tests.support.numbers import OTHER_PHONE, STRANGER, VICTIM

REFERENCE = "5201234/26"
REFERENCE_KEYS = "520123426#"
PIN = "2468"
WRONG_PIN = "1357"
FULL_UPDATE = "A suspect has been interviewed and released on bail."
MINIMAL_UPDATE = "There is an update from 20th November. Someone at the desk can talk you through it."
OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


def call_row(app, sid: str) -> Call:
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one()


def make_case(app, api, **fields) -> int:
    """A full-update case registered to VICTIM through the case system's API, with one
    update written on a fixed date."""
    body = {"crime_reference": REFERENCE, "victim_phone": VICTIM, "status": "under investigation",
            "contact": {"update_detail": "full"}, **fields}
    created = api.post("/cases", body)
    assert created.status_code == 201, created.json
    with app.app_context():
        db = session()
        db.add(CaseUpdate(case_id=created.json["id"], message=FULL_UPDATE,
                          created_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC)))
        db.commit()
    return created.json["id"]


@pytest.fixture
def pin_case(app, api):
    return make_case(app, api, pin=PIN)


# --- the PIN on the phone --------------------------------------------------------------


def test_the_right_pin_reads_the_full_update(app, dial, pin_case):
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press(PIN + "#")
    assert FULL_UPDATE not in call.heard()  # not before the caller can listen privately
    call.press("1")
    call.press("9")
    call.hang_up()
    assert_golden("case_pin_right", call, "Monday 10:00, registered phone, full-update case with a PIN; right PIN")
    assert FULL_UPDATE in call.heard()
    row = call_row(app, call.call_sid)
    assert row.verified_case_id == pin_case and row.outcome == "case_update"


def test_a_wrong_pin_then_the_right_one(app, dial, pin_case):
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press(WRONG_PIN + "#")
    assert FULL_UPDATE not in call.heard() and "under investigation" not in call.heard()
    call.press(PIN + "#")
    call.press("1")
    call.hang_up()
    assert_golden("case_pin_wrong_then_right", call, "Monday 10:00, registered phone; a wrong PIN, then the right one")
    assert call.heard().count(FULL_UPDATE) == 1
    assert call.heard().count("Please type your crime reference number") == 1  # only the PIN is asked again


def test_five_wrong_pins_lock_the_case_for_the_day(app, dial, pin_case, clock):
    first = dial()
    first.press("1")
    first.press(REFERENCE_KEYS)
    for _ in range(3):  # three tries a call
        first.press(WRONG_PIN + "#")
    first.hang_up()
    clock.advance(minutes=5)
    second = dial()
    second.press("1")
    second.press(REFERENCE_KEYS)
    second.press(WRONG_PIN + "#")
    second.press(WRONG_PIN + "#")  # the fifth today: the case is locked
    second.press("9")
    second.press("1")
    second.press(REFERENCE_KEYS)  # the right reference: locked, the PIN is not even asked for
    second.hang_up()
    clock.advance(minutes=5)
    # nobody learns of the lock but the registered number: a stranger hears "refused"
    stranger = dial(from_=STRANGER)
    stranger.press("1")
    stranger.press(REFERENCE_KEYS)
    stranger.hang_up()
    unknown = dial(from_=OTHER_PHONE)
    unknown.press("1")
    unknown.press("999999999#")
    unknown.hang_up()
    assert stranger.said == unknown.said
    clock.current = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
    next_day = dial()
    next_day.press("1")
    next_day.press(REFERENCE_KEYS)
    next_day.press(PIN + "#")
    next_day.press("1")
    next_day.hang_up()
    assert_golden("case_pin_lockout", [("first call: three wrong PINs", first),
                                       ("second call, same day: two more wrong PINs lock the case", second),
                                       ("next day: unlocked, right PIN", next_day)],
                  "Monday 10:00, registered phone; five wrong PINs lock the case for the London day")
    assert FULL_UPDATE not in first.heard() + second.heard()
    assert second.heard().count("Please type your PIN") == 2
    assert FULL_UPDATE in next_day.heard()
    assert call_row(app, second.call_sid).outcome == "locked_out"
    assert call_row(app, second.call_sid).verified_case_id is None


def test_a_full_update_case_without_a_pin_reads_only_the_minimal_update(app, api, dial):
    make_case(app, api)
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.hang_up()
    heard = call.heard()
    assert MINIMAL_UPDATE in heard and FULL_UPDATE not in heard and "PIN" not in heard


def test_a_cleared_pin_reads_only_the_minimal_update(app, api, dial, pin_case):
    assert api.post("/cases", {"crime_reference": REFERENCE, "victim_phone": VICTIM, "pin": None}).status_code == 200
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.hang_up()
    assert MINIMAL_UPDATE in call.heard() and FULL_UPDATE not in call.heard()


def test_the_pin_in_polish(app, dial, pin_case):
    call = dial()
    call.press("8")
    call.press("1")
    call.press(REFERENCE_KEYS)
    assert "Prosimy wpisać PIN" in call.last_said()
    call.press(WRONG_PIN + "#")
    call.press(PIN + "#")
    call.press("1")
    assert FULL_UPDATE in call.heard()
    call.hang_up()


# --- the PIN is never kept, logged or returned --------------------------------------------

SECRET_PIN = "80417362"


def test_the_pin_is_never_in_the_saved_state_the_logs_or_the_api(app, api, dial, caplog):
    caplog.set_level(logging.DEBUG)
    case_id = make_case(app, api, pin=SECRET_PIN)
    got = api.get(f"/cases/{case_id}")
    assert got.status_code == 200
    assert "pin" not in got.json and SECRET_PIN not in got.get_data(as_text=True)
    assert "$argon2" not in got.get_data(as_text=True)
    assert got.json["pin_set"] is True
    with app.app_context():
        stored = session().get(Case, case_id).pin_hash
    assert stored.startswith("$argon2id$") and SECRET_PIN not in stored

    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press("80417360#")  # a wrong PIN first: the call waits at the PIN again, state saved
    saved = json.dumps(call_row(app, call.call_sid).state)
    assert "80417360" not in saved and "520123426" not in saved
    call.press(SECRET_PIN + "#")
    call.press("1")
    assert FULL_UPDATE in call.heard()
    saved = json.dumps(call_row(app, call.call_sid).state)
    assert SECRET_PIN not in saved and "520123426" not in saved
    call.hang_up()

    bad = api.post("/cases", {"crime_reference": REFERENCE, "victim_phone": VICTIM, "pin": "12a4"})
    assert bad.status_code == 422 and "pin" in bad.json["error"] and "12a4" not in bad.get_data(as_text=True)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert SECRET_PIN not in logged and "80417360" not in logged and "12a4" not in logged


def test_the_engine_drops_the_pin_from_the_state_once_asked():
    flow = call_flow()
    state, _ = engine.start(flow, Trigger("CA1", VICTIM), now=OPEN)
    for item in (Digits("1"), Digits("520123426")):
        state, events = engine.resume(flow, state, item, now=OPEN)
    state, events = engine.resume(flow, state, Answer("case_lookup", "pin", remember={"pin_case": 7}), now=OPEN)
    assert state.at == "case_pin_entry" and state.vars["pin_case"] == 7
    state, events = engine.resume(flow, state, Digits("2468#"), now=OPEN)
    assert events[-1] == Query("case_pin", {"pin": "2468", "pin_case": 7})
    assert "2468" not in repr(state) and "pin_case" not in state.vars


# --- lockouts count per number and per case -------------------------------------------------


def test_twenty_wrong_references_do_not_lock_the_number_out_of_its_own_case(app, dial, pin_case, clock):
    wrong = 0
    while wrong < 20:
        call = dial()
        call.press("1")
        while wrong < 20:
            call.press(str(100000 + wrong) + "#")
            wrong += 1
            if "To try again, press 1." not in (call.last_said() or ""):
                break  # three this call, or the number is locked out for unknown references
            call.press("1")
        call.hang_up()
        clock.advance(minutes=1)
    # the per-number limit still stops unknown references ...
    unknown = dial()
    unknown.press("1")
    unknown.press("111111#")
    assert unknown.said[-2].text.startswith("Sorry, case updates are not available from this phone today.")
    assert call_row(app, unknown.call_sid).outcome == "locked_out"
    unknown.hang_up()
    # ... but not the number's own case, which still asks for (and needs) the PIN
    victim = dial()
    victim.press("1")
    victim.press(REFERENCE_KEYS)
    assert "Please type your PIN" in victim.last_said()
    victim.press(PIN + "#")
    victim.press("1")
    assert FULL_UPDATE in victim.heard()
    assert call_row(app, victim.call_sid).verified_case_id == pin_case
    victim.hang_up()


# --- STIR/SHAKEN --------------------------------------------------------------------------


@pytest.mark.parametrize("sent, stored", [
    ("TN-Validation-Passed-A", "TN-Validation-Passed-A"),
    ("No-TN-Validation", "No-TN-Validation"),
    (None, None),
    ("TN-Validation-Passed-A<script>", None),
    ("A" * 41, None),
])
def test_stir_verstat_is_recorded_on_the_call(app, dial, sent, stored):
    call = dial(stir_verstat=sent)
    call.press("9")
    call.hang_up()
    assert call_row(app, call.call_sid).stir_verstat == stored


def test_the_pin_is_typed_never_said_aloud():
    flow = call_flow()
    state, _ = engine.start(flow, Trigger("CA1", VICTIM), now=OPEN)
    for item in (Digits("1"), Digits("520123426")):
        state, events = engine.resume(flow, state, item, now=OPEN)
    state, events = engine.resume(flow, state, Answer("case_lookup", "pin", remember={"pin_case": 7}), now=OPEN)
    [gather] = [e for e in events if isinstance(e, Gather)]
    assert gather.node == "case_pin_entry" and gather.speech is False  # rendered as input="dtmf"
    state, events = engine.resume(flow, state, Speech("two four six eight"), now=OPEN)
    assert state.at == "case_pin_entry" and not any(isinstance(e, Query) for e in events)
    assert [e.key for e in events if isinstance(e, Say)][:1] == ["sorry_entry_invalid"]


# --- hearing the update privately, and again ------------------------------------------------


def test_a_full_update_waits_until_the_caller_can_listen_privately_and_can_be_heard_again(app, dial, pin_case):
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press(PIN + "#")
    assert "When you are somewhere you can listen privately, press 1." in call.last_said()
    assert FULL_UPDATE not in call.heard()
    call.press("1")
    assert call.heard().count(FULL_UPDATE) == 1
    assert "To hear it again, press 1." in call.heard()
    call.press("1")
    assert call.heard().count(FULL_UPDATE) == 2
    call.hang_up()
    assert_golden("case_update_private_again", call,
                  "Monday 10:00, registered phone, right PIN; 1 when private, then 1 to hear it again")


def test_silence_when_asked_to_listen_privately_reads_nothing(app, dial, pin_case):
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press(PIN + "#")
    call.silence()
    call.silence()
    heard = call.heard()
    assert FULL_UPDATE not in heard and "under investigation" not in heard
    assert "We have not read the update. Please call again when you can listen privately" in heard
    assert call.waiting_for == "gather" and "For an update on your case, press 1." in call.last_said()
    call.hang_up()
    assert_golden("case_update_private_silence", call,
                  "Monday 10:00, registered phone, right PIN; silence when asked to listen privately")


def test_a_minimal_update_can_be_heard_again(app, api, dial):
    make_case(app, api)  # full-update case without a PIN: read as a minimal one
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    assert call.heard().count(MINIMAL_UPDATE) == 1
    call.press("1")
    assert call.heard().count(MINIMAL_UPDATE) == 2 and FULL_UPDATE not in call.heard()
    call.hang_up()
