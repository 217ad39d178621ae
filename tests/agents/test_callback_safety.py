"""Whom a callback may ring: every case registered to the number it rings has a say,
and the strictest wins, whoever booked it (services/callback_safety.py).  Through the
real router: the agent is rung first, then the victim's number is dialled."""
from __future__ import annotations

import pytest

from models.callbacks import CallbackRequest
from models.cases import Case
from models.db import session
from tests.fixtures.texts import texter  # noqa: F401
from tests.support.replies import last_twiml
from tests.support.service import MONDAY_10AM

ASHA = "+447911200001"
VICTIM = "+447911123456"
ABUSER = "+447911123999"      # another phone in the same home
TUESDAY_9AM = MONDAY_10AM.replace(day=24, hour=9)


@pytest.fixture
def add_case(app):
    """A case as the case system holds it, registered to PHONE; returns its id."""
    made = []

    def make(phone: str = VICTIM, **contact) -> int:
        with app.app_context():
            db = session()
            digits = f"52012{len(made):02d}26"
            contact.setdefault("sms_allowed", True)  # texts are opt-in (models/cases.py)
            row = Case(crime_reference=digits, reference_digits=digits, victim_phone=phone, **contact)
            db.add(row)
            db.commit()
            made.append(row.id)
            return row.id

    return make


@pytest.fixture
def change_case(app):
    def change(case_id: int, **contact) -> None:
        with app.app_context():
            db = session()
            row = db.get(Case, case_id)
            for name, value in contact.items():
                setattr(row, name, value)
            db.add(row)
            db.commit()

    return change


@pytest.fixture
def book(app, clock):
    def make(phone: str = VICTIM, **fields) -> int:
        with app.app_context():
            db = session()
            row = CallbackRequest(phone=phone, queue_joined_at=clock(), requested_at=clock(), **fields)
            db.add(row)
            db.commit()
            return row.id

    return make


def at(clock, when):
    clock.current = when
    return when


def test_a_callback_booked_from_another_phone_rings_only_in_the_cases_times_and_leaves_no_voicemail(
        add_agent, add_case, dial, sweep, clock, pick_up, twilio_fetch, rows):
    add_agent("agent-a", ASHA, idle=30)
    add_case(VICTIM, voicemail_allowed=False, safe_call_times=["09:00-12:00"])
    at(clock, MONDAY_10AM.replace(hour=16, minute=30))           # Monday 16:30, desk open
    call = dial(ABUSER)
    for keys in ("3", "2", "07911123456#", "1", "1", "4", "1"):  # another number, safe, voicemail, evenings
        call.press(keys)
    assert "We will call you back as soon as we can, when the desk is open." in call.heard()
    [booked] = rows(CallbackRequest)
    assert (booked.phone, booked.voicemail_allowed, booked.window_start) == (VICTIM, True, "16:00")

    assert sweep() == []                                        # the evening the caller chose: nobody rung
    at(clock, MONDAY_10AM.replace(hour=19, minute=30))
    assert sweep() == []
    at(clock, TUESDAY_9AM.replace(hour=8, minute=59))
    assert sweep() == []
    at(clock, TUESDAY_9AM)                                      # the case's 09:00-12:00
    [ring] = sweep()
    assert ring["to"] == ASHA
    agent = pick_up(ring)
    assert "No voicemail." in agent.heard()
    agent.press("1")
    number = last_twiml(agent).find("Dial/Number")
    assert number.text == VICTIM and number.get("machineDetection") is None
    said, verbs = twilio_fetch(number.get("url"), {"CallSid": "CA" + "7" * 32, "AnsweredBy": "machine_end_beep",
                                                   "To": VICTIM, "From": "+442070000000",
                                                   "CallStatus": "in-progress"})
    assert (said, verbs) == ("", [])                            # no message, no hang-up: the agent decides
    agent.dial_outcome("completed")

    at(clock, TUESDAY_9AM.replace(hour=12, minute=0))           # the retry falls due after the case's times
    assert sweep() == []
    at(clock, TUESDAY_9AM.replace(hour=19, minute=0))
    assert sweep() == []


def test_two_cases_on_one_number_ring_only_when_both_allow(add_agent, add_case, book, sweep, clock):
    add_agent("agent-a", ASHA, idle=30)
    add_case(VICTIM, safe_call_times=["09:00-13:00"])
    add_case(VICTIM, safe_call_times=["11:00-17:00"])
    book(VICTIM)                                                # the caller said "any time"
    assert sweep() == []                                        # 10:00: the second case says no
    at(clock, MONDAY_10AM.replace(hour=13, minute=0))
    assert sweep() == []                                        # 13:00: the first case says no
    at(clock, MONDAY_10AM.replace(hour=16, minute=0))
    assert sweep() == []
    at(clock, TUESDAY_9AM.replace(hour=10, minute=59))
    assert sweep() == []
    at(clock, TUESDAY_9AM.replace(hour=11, minute=0))
    [ring] = sweep()
    assert ring["to"] == ASHA


def test_cases_with_no_time_in_common_are_never_rung(add_agent, add_case, book, sweep, clock):
    add_agent("agent-a", ASHA, idle=30)
    add_case(VICTIM, safe_call_times=["09:00-11:00"])
    add_case(VICTIM, safe_call_times=["14:00-17:00"])
    book(VICTIM)
    for hour in (9, 10, 14, 16):
        at(clock, TUESDAY_9AM.replace(hour=hour))
        assert sweep() == []


def test_a_case_marked_not_safe_after_booking_is_never_dialled(
        add_agent, add_case, change_case, book, sweep, clock, pick_up, fake_twilio):
    add_agent("agent-a", ASHA, idle=30)
    case = add_case(VICTIM, safe_call_times=["09:00-17:00"])
    book(VICTIM, verified_case_id=case)
    [ring] = sweep()                                            # the agent's phone rings...
    change_case(case, safe_to_call=False)                       # ...and the officer marks the case
    agent = pick_up(ring)
    agent.press("1")
    assert last_twiml(agent).find("Dial") is None               # the victim's number is not dialled
    assert fake_twilio.calls_to(VICTIM) == []
    for hour in (11, 14, 16):                                   # nor later, at any time
        at(clock, MONDAY_10AM.replace(hour=hour))
        assert sweep() == []


def test_a_case_not_safe_to_call_on_a_shared_number_stops_the_callback_another_case_allows(
        add_agent, add_case, book, sweep):
    add_agent("agent-a", ASHA, idle=30)
    add_case(VICTIM, safe_call_times=["09:00-17:00"], voicemail_allowed=True)
    add_case(VICTIM, safe_to_call=False)
    book(VICTIM, voicemail_allowed=True)
    assert sweep() == []


def test_a_number_on_no_case_keeps_the_callers_own_answers(add_agent, book, sweep, pick_up, clock):
    add_agent("agent-a", ASHA, idle=30)
    book(VICTIM, voicemail_allowed=True, window_start="12:00", window_end="16:00")
    assert sweep() == []                                        # 10:00: outside the caller's window
    at(clock, MONDAY_10AM.replace(hour=12))
    agent = pick_up(sweep()[0])
    assert "Voicemail allowed." in agent.heard()


def test_a_text_call_to_a_number_one_case_marks_not_safe_books_nothing(add_case, texter, rows):  # noqa: F811
    add_case(VICTIM, safe_call_times=["09:00-17:00"])
    add_case(VICTIM, safe_to_call=False)
    replies = texter(VICTIM).send("CALL")
    assert rows(CallbackRequest) == []
    assert any(reply.startswith("We cannot arrange a call back") for reply in replies), replies


def test_a_text_call_is_booked_for_the_time_every_case_allows_without_voicemail(add_case, texter, rows, clock):  # noqa: F811
    add_case(VICTIM, safe_call_times=["09:00-13:00"], voicemail_allowed=True)
    add_case(VICTIM, safe_call_times=["11:00-17:00"], voicemail_allowed=False)
    replies = texter(VICTIM).send("CALL")
    [booked] = rows(CallbackRequest)
    assert booked.voicemail_allowed is False
    assert any("The earliest is" in reply for reply in replies), replies  # 10:00 is outside the second case
