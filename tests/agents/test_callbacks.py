"""Placing callbacks: real RQ workers against the fake Twilio REST API, the agent's
leg driven through the emulator, the victim's leg as Twilio would fetch it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models.agents import Agent
from models.callbacks import CallbackAttempt, CallbackRequest
from models.db import session
from tests.support.replies import last_twiml
from tests.support.service import DESK_NUMBER, MONDAY_10AM

ASHA, BEN = "+447911200001", "+447911200002"
VICTIM_A, VICTIM_B, VICTIM_C = "+447911123456", "+447911123457", "+447911123458"


@pytest.fixture
def book(app, clock):
    """A callback request as the voice side records it; returns its id."""

    def make(phone: str, *, joined_minutes_ago: int = 0, **fields) -> int:
        with app.app_context():
            db = session()
            now = clock()
            row = CallbackRequest(phone=phone, queue_joined_at=now - timedelta(minutes=joined_minutes_ago),
                                  requested_at=now, **fields)
            db.add(row)
            db.commit()
            return row.id

    return make


def callbacks(rows) -> list[tuple]:
    return [(c.phone, c.status, c.attempts, c.last_outcome) for c in rows(CallbackRequest)]


def attempts(rows) -> list[tuple]:
    return [(a.callback_id, a.attempt_no, a.outcome) for a in rows(CallbackAttempt)]


def place(pick_up, ring):
    """The agent answers, hears the whisper, presses 1: the victim's number is dialled."""
    agent = pick_up(ring)
    agent.press("1")
    assert agent.waiting_for == "dial"
    return agent


def victim_leg(twilio_fetch, agent, answered_by: str):
    """Twilio fetches the <Number url> on the victim's leg once AMD has decided."""
    number = last_twiml(agent).find("Dial/Number")
    path = number.get("url")
    return twilio_fetch(path, {"CallSid": "CA" + "7" * 32, "AnsweredBy": answered_by, "To": number.text.strip(),
                               "From": DESK_NUMBER, "CallStatus": "in-progress"})


def test_callbacks_are_placed_in_queue_join_order_agent_first_and_completed_when_answered(
        add_agent, book, sweep, pick_up, twilio_fetch, rows, fake_twilio):
    add_agent("agent-a", ASHA, idle=30)
    later = book(VICTIM_A, joined_minutes_ago=2)                   # asked by menu, 2 minutes ago
    earlier = book(VICTIM_B, joined_minutes_ago=20, language="pl")  # waited in the queue first

    [ring] = sweep()
    assert ring["to"] == ASHA                                       # the agent, never the victim
    assert fake_twilio.calls_to(VICTIM_A) == fake_twilio.calls_to(VICTIM_B) == []
    agent = place(pick_up, ring)
    assert agent.transcript[:3] == [
        "SAY(en-GB): Callback to a victim, attempt 1 of 3. Not verified. Language: Polish. No voicemail. "
        "Press 1 to place the callback.",
        "GATHER dtmf -> pressed 1",
        "SAY(en-GB): Calling the victim now. If a machine answers, leave no message: just hang up."]
    number = last_twiml(agent).find("Dial/Number")
    assert number.text == VICTIM_B                                  # the one who joined first
    assert number.get("machineDetection") is None                  # no AMD: the victim hears the agent at once
    assert last_twiml(agent).find("Dial").get("callerId") == DESK_NUMBER

    said, verbs = victim_leg(twilio_fetch, agent, "human")
    assert (said, verbs) == ("", [])                                # a person: put straight through
    agent.dial_outcome("completed", duration=300)
    assert agent.transcript[-3:] == ["DIAL number " + VICTIM_B + " -> completed",
                                     "SAY(en-GB): Callback finished.", "HANGUP"]
    assert callbacks(rows) == [(VICTIM_A, "pending", 0, None), (VICTIM_B, "completed", 1, "connected")]
    assert attempts(rows) == [(earlier, 1, "connected")]
    attempt = rows(CallbackAttempt)[0]
    assert attempt.agent_call_sid == ring.sid and attempt.victim_call_sid == "CA" + "7" * 32
    assert rows(Agent)[0].state == "wrap_up"
    assert later


def test_no_answer_is_retried_after_15_then_60_minutes_then_marked_failed_after_3_attempts(
        add_agent, book, sweep, route, pick_up, clock, fire_scheduled, rows, fake_twilio):
    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A)

    expected_retry = {1: MONDAY_10AM + timedelta(minutes=15), 2: MONDAY_10AM + timedelta(minutes=75)}
    outcomes = {1: "no-answer", 2: "busy", 3: "no-answer"}
    for attempt_no in (1, 2, 3):
        [ring] = sweep()
        agent = place(pick_up, ring)
        assert f"attempt {attempt_no} of 3" in agent.heard()
        agent.dial_outcome(outcomes[attempt_no])
        request = rows(CallbackRequest)[0]
        if attempt_no < 3:
            assert request.status == "pending" and request.next_attempt_at == expected_retry[attempt_no]
            at = expected_retry[attempt_no].astimezone(MONDAY_10AM.tzinfo).strftime("%H:%M")
            assert agent.said[-1].text.endswith(f"The desk will try again at {at}.")
            clock.advance(minutes=14 if attempt_no == 1 else 59)
            assert sweep() == []                                # not yet due
            clock.advance(minutes=1)
            assert fire_scheduled() == [expected_retry[attempt_no]]  # the retry was scheduled for then
        else:
            assert agent.said[-1].text == ("There was no answer. That was the last attempt. The callback is "
                                           "marked as failed for a supervisor to review.")
        # the agent's wrap-up is skipped when nobody was reached: available at once
        assert rows(Agent)[0].state == "available"

    assert callbacks(rows) == [(VICTIM_A, "failed", 3, "no_answer")]
    assert attempts(rows) == [(cb, 1, "no_answer"), (cb, 2, "busy"), (cb, 3, "no_answer")]
    clock.advance(hours=3)
    assert sweep() == [] and route() == []                      # never a 4th attempt
    assert len(fake_twilio.calls) == 3


def test_only_inside_the_victims_window_and_the_cases_safe_times(add_agent, api, book, sweep, clock, rows):
    add_agent("agent-a", ASHA, idle=30)
    case = api.post("/cases", {"crime_reference": "5201234/26", "victim_phone": VICTIM_A,
                               "contact": {"safe_call_times": ["13:00-14:00"]}}).json["id"]
    book(VICTIM_A, window_start="12:00", window_end="16:00", verified_case_id=case)
    assert sweep() == []                                        # 10:00: outside the victim's window
    clock.advance(hours=2)
    assert sweep() == []                                        # 12:00: the case says not before 13:00
    clock.advance(hours=1)
    [ring] = sweep()                                            # 13:00: both allow it
    assert ring["to"] == ASHA


def test_nothing_is_placed_while_the_desk_is_closed(add_agent, book, sweep, clock, app):
    add_agent("agent-a", ASHA, idle=30)
    clock.current = MONDAY_10AM.replace(hour=20, minute=0)       # Monday 20:00: closed
    book(VICTIM_A)
    assert sweep() == []
    clock.current = MONDAY_10AM.replace(day=24, hour=7, minute=59)
    assert sweep() == []
    clock.advance(minutes=1)                                     # Tuesday 08:00: open
    [ring] = sweep()
    assert ring["to"] == ASHA
    app.config["IVR_HOURS_OVERRIDES"] = {"2026-11-24": "closed"}
    assert sweep() == []                                         # a configured closure counts too


def test_a_voicemail_is_left_only_with_consent_only_once_and_never_with_details(
        add_agent, api, book, sweep, clock, pick_up, twilio_fetch, rows, fake_twilio, client):
    from emulator.signing import check_accepted, post_signed
    from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

    add_agent("agent-a", ASHA, idle=30)
    case = api.post("/cases", {"crime_reference": "5201234/26", "victim_phone": VICTIM_A,
                               "victim_name": "Named Victim", "officer_name": "PC 4521 Lambeth",
                               "contact": {"voicemail_allowed": True}}).json["id"]
    consented = book(VICTIM_A, voicemail_allowed=True, verified_case_id=case)

    agent = pick_up(sweep()[0])
    agent.press("1")
    assert "Voicemail allowed." in agent.heard()
    [victim] = fake_twilio.calls_to(VICTIM_A)                    # placed over REST, asynchronous AMD
    assert victim.params["AsyncAmd"] == ["true"]
    url = victim.params["AsyncAmdStatusCallback"][0]
    check_accepted(post_signed(client, PUBLIC_BASE_URL, url, {"CallSid": victim.sid,
                                                              "AnsweredBy": "machine_end_beep"}, AUTH_TOKEN), url)
    said = " ".join(re.sub(r"<[^>]+>", "", fake_twilio.call(victim.sid).updates[0]["Twiml"][0]).split())
    assert ("Hello. This is the return call you asked for. Sorry we missed you. We will try again, "
            "or you can call us back on 0 2 0, 7 9 4 6, 0 0 0 0. Goodbye.") in said
    for secret in ("Named", "4521", "5201234", "Victim", "police", "crime"):
        assert secret not in said
    agent.answered_by_agent()                                    # the agent's wait in their queue ends
    assert agent.said[-1].text.startswith("An answering machine answered. A short message without details was left.")
    assert attempts(rows) == [(consented, 1, "voicemail_left")]

    clock.advance(minutes=15)                                    # a second machine: no second message
    agent = place(pick_up, sweep()[0])
    assert "No voicemail." in agent.heard()
    assert last_twiml(agent).find("Dial/Number").get("machineDetection") is None
    assert victim_leg(twilio_fetch, agent, "machine_end_silence") == ("", [])  # the agent hears it, hangs up
    assert len(fake_twilio.calls_to(VICTIM_A)) == 1


def test_without_consent_a_machine_verdict_never_hangs_up(add_agent, book, sweep, pick_up, twilio_fetch, rows):
    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A, voicemail_allowed=False)
    agent = place(pick_up, sweep()[0])
    assert victim_leg(twilio_fetch, agent, "machine_start") == ("", [])  # could be a person: put through
    agent.dial_outcome("no-answer")
    assert attempts(rows) == [(cb, 1, "no_answer")]
    assert callbacks(rows) == [(VICTIM_A, "pending", 1, "no_answer")]


def test_an_agent_who_misses_a_callback_does_not_use_up_the_victims_attempts(
        add_agent, book, sweep, route, call_status, pick_up, rows):
    add_agent("agent-a", ASHA, idle=30)
    add_agent("agent-b", BEN, idle=5)
    book(VICTIM_A)
    [ring] = sweep()
    assert ring["to"] == ASHA
    call_status(ring, "no-answer")
    [ring] = route()
    assert ring["to"] == BEN                                     # offered again at once, to the next agent
    agent = place(pick_up, ring)
    assert "attempt 1 of 3" in agent.heard()
    assert {a.name: a.missed_in_a_row for a in rows(Agent)} == {"agent-a": 1, "agent-b": 0}


def test_a_callback_taken_in_the_queue_keeps_the_callers_place_ahead_of_later_live_callers(
        app, add_agent, dial, clock, route, pick_up, rows, fake_twilio):
    add_agent("agent-a", ASHA, idle=30, state="busy")             # on duty, on another call
    first = dial(VICTIM_A)
    first.press("2")                                             # joins the queue at 10:00
    clock.advance(minutes=3)
    second = dial(VICTIM_B)
    second.press("2")                                            # joins at 10:03
    clock.advance(minutes=2)
    first.wait_in_queue()
    first.press("1")                                             # "call me back instead"
    for key in ("1", "1", "2", "1", "1"):                        # this number, safe, no voicemail, any time, confirm
        first.press(key)
    assert "We will call you back as soon as we can, when the desk is open." in first.heard()
    assert route() == []                                         # nobody free yet

    clock.advance(minutes=1)
    result = app.test_cli_runner().invoke(args=["agents", "state", "agent-a", "available"])
    assert result.exit_code == 0, result.output
    [ring] = route()
    agent = place(pick_up, ring)
    assert agent.heard().startswith("Callback to a victim, attempt 1 of 3.")
    assert last_twiml(agent).find("Dial/Number").text == VICTIM_A  # before the later live caller
    assert second.waiting_for == "queue"
    assert rows(CallbackRequest)[0].queue_joined_at == MONDAY_10AM
