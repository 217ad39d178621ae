"""Check staffing before the queue: with no agent on duty (every one offline) the
caller hears so and is offered a callback at once, rather than holding until the
queue's time limit; urgent callers also hear the 24-hour helplines."""
from __future__ import annotations

import pytest
from sqlmodel import select

from models.calls import Call
from models.db import session
from tests.support.golden import assert_golden

NOBODY_FREE = "Nobody is free to take your call at the moment."
CALLBACK_OFFER = "We can call you back: press 1."
HELPLINES = "0 8 0 8, 2 0 0 0, 2 4 7"


def call_row(app, sid: str) -> Call:
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one()


def test_nobody_on_duty_hears_so_and_is_offered_a_callback_at_once(app, dial, nobody_on_duty, add_agent):
    add_agent("Gone home", "+447700900001", state="offline")
    call = dial()
    call.press("2")
    assert call.waiting_for != "queue"
    heard = call.heard()
    assert NOBODY_FREE in heard and CALLBACK_OFFER in heard and "ENQUEUE" not in "\n".join(call.transcript)
    call.press("1")  # the callback questions begin
    assert "Shall we call you back on this number" in call.heard()
    call.hang_up()
    assert_golden("desk_nobody_on_duty", call,
                  "Monday 10:00, desk open, no agent on duty; press 2, then 1 for a callback")
    row = call_row(app, call.call_sid)
    assert row.queue_joined_at is None and "desk_unstaffed" in row.path


def test_one_agent_available_is_queued_as_before(app, dial, nobody_on_duty, add_agent):
    add_agent("Ready", "+447700900002", state="available")
    call = dial()
    call.press("2")
    assert call.waiting_for == "queue"
    call.wait_in_queue(polls=1, position=1, size=1)
    call.hang_up()
    assert_golden("desk_one_agent_available", call, "Monday 10:00, desk open, one agent available; press 2")
    assert NOBODY_FREE not in call.heard()


@pytest.mark.parametrize("state", ["busy", "wrap_up"])
def test_agents_busy_or_in_wrap_up_are_on_duty(app, dial, nobody_on_duty, add_agent, state):
    add_agent("Working", "+447700900003", state=state)
    call = dial()
    call.press("2")
    assert call.waiting_for == "queue" and NOBODY_FREE not in call.heard()


def test_urgent_caller_with_nobody_on_duty_hears_the_helplines_then_the_callback_offer(
        app, dial, nobody_on_duty):
    call = dial()
    call.say("I need help")
    assert call.waiting_for != "queue"
    heard = call.heard()
    assert heard.index(NOBODY_FREE) < heard.index(HELPLINES) < heard.index(CALLBACK_OFFER)
    call.silence()
    call.silence()
    assert call.ended
    assert_golden("distress_nobody_on_duty", call,
                  "Monday 10:00, desk open, no agent on duty; says 'I need help' at the menu")


def test_polish_caller_with_nobody_on_duty_is_told_politely(app, dial, nobody_on_duty):
    call = dial()
    call.press("8")
    call.press("2")
    assert "W tej chwili nikt nie może odebrać połączenia." in call.heard()
    assert call.waiting_for != "queue"
