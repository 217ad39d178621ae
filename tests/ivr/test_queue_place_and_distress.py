"""Leaving the queue never loses the caller, and a caller in danger is heard
(whole calls through the emulator, compared with golden transcripts)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from desk.clock import LONDON
from flows import dispatch as rules
from models.calls import Call
from models.callbacks import CallbackRequest
from models.db import session
from services import waiting
from tests.support.golden import assert_golden

NOT_HEARD = "We did not hear you, so you are back in the queue. You have kept your place."
KEEP_HOLDING = "To keep holding, press star."
HELPLINES = "0 8 0 8, 2 0 0 0, 2 4 7"


def call_row(app, sid: str) -> Call:
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one()


def no_callbacks(app) -> bool:
    with app.app_context():
        return not session().exec(select(CallbackRequest)).all()


# --- item 1: leaving the queue never loses the caller ---------------------------------


def test_silence_at_the_callback_number_puts_the_caller_back_in_the_queue(app, dial, clock):
    call = dial()
    call.press("2")
    joined = clock.current
    call.wait_in_queue(polls=1, position=2, size=2)
    clock.advance(minutes=3)
    call.press("1")  # be called back instead
    assert KEEP_HOLDING in call.heard()
    call.silence()
    call.silence()
    assert not call.ended and call.waiting_for == "queue"
    assert NOT_HEARD in call.heard()
    clock.advance(minutes=1)
    call.wait_in_queue(polls=1, position=2, size=2)
    call.hang_up()
    assert_golden("queue_callback_silence_back_in_queue", call,
                  "Monday 10:00; holds, presses 1, then says nothing: back in the queue")
    assert no_callbacks(app)
    assert call_row(app, call.call_sid).queue_joined_at == joined  # the original place


def test_silence_later_in_the_callback_questions_puts_the_caller_back_in_the_queue(app, dial, clock):
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=1)
    call.press("1")
    call.press("1")  # this number
    call.silence()   # is it safe?  ...
    call.silence()
    assert not call.ended and call.waiting_for == "queue"
    assert NOT_HEARD in call.heard()
    call.hang_up()
    assert no_callbacks(app)


def test_star_at_the_long_wait_offer_keeps_holding_and_silence_does_too(app, dial, clock):
    app.config["IVR_QUEUE_MAX_WAIT_SECONDS"] = 600
    call = dial()
    call.press("2")
    joined = clock.current
    call.wait_in_queue(polls=1, position=1, size=1)
    clock.advance(minutes=11)
    call.wait_in_queue(polls=1, position=1, size=1)
    assert call.waiting_for == "gather" and KEEP_HOLDING in call.heard()
    call.press("*")  # keep holding
    assert call.waiting_for == "queue"
    clock.advance(minutes=11)
    call.wait_in_queue(polls=1, position=1, size=1)
    call.silence()
    call.silence()
    assert not call.ended and call.waiting_for == "queue"
    call.hang_up()
    assert_golden("queue_long_wait_keep_holding", call,
                  "Monday 10:00; waits 11 minutes (maximum 10), presses star, waits again, says nothing")
    assert no_callbacks(app)
    assert call_row(app, call.call_sid).queue_joined_at == joined


def test_the_hold_music_listens_for_keys_only(app, dial):
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=2, position=1, size=1)
    call.hang_up()
    queue_part = "\n".join(call.transcript).split("ENQUEUE desk", 1)[1]
    assert "GATHER dtmf ->" in queue_part and "GATHER dtmf,speech" not in queue_part


# --- item 2: a caller in danger is heard ------------------------------------------------


def test_i_need_help_when_open_repeats_999_and_goes_to_the_queue_marked_urgent(app, dial):
    call = dial()
    call.say("I need help")
    assert call.waiting_for == "queue"
    call.wait_in_queue(polls=1, position=1, size=1)
    call.hang_up()
    assert_golden("distress_open", call, "Monday 10:00, desk open; says 'I need help' at the menu")
    assert "press 55" in call.heard() and "Under the Victims' Code" not in call.heard()
    assert (call_row(app, call.call_sid).state.get("vars") or {}).get("urgent") is True


def test_i_need_help_when_closed_hears_999_the_helplines_and_a_callback_offer(app, dial):
    call = dial(at=datetime(2026, 11, 23, 21, 0, tzinfo=LONDON))
    call.say("I need help")
    call.silence()
    call.silence()
    assert call.ended
    assert_golden("distress_closed", call, "Monday 21:00, desk closed; says 'I need help' at the menu")
    assert HELPLINES in call.heard() and "1 6 8, 9 1 1 1" in call.heard()


def test_polish_pomocy_is_heard(app, dial):
    call = dial()
    call.press("8")
    call.say("pomocy")
    assert call.waiting_for == "queue"
    call.hang_up()
    assert_golden("distress_polish", call, "Monday 10:00, desk open; Polish, says 'pomocy'")


def test_danger_words_are_heard_at_any_menu(app, dial):
    call = dial()
    call.press("4")  # rights, then the leaflet offer
    call.silence()  # heard to the end: the leaflet offer
    call.say("I am in danger")
    assert call.waiting_for == "queue" and "press 55" in call.heard().split("text you a link", 1)[1]
    call.hang_up()


def test_help_said_while_a_number_is_asked_for_is_heard_as_danger(app, dial):
    """The number entries listen for speech (a number may be said), and took "help" for a
    badly said number ("Sorry, we did not get that number")."""
    call = dial(at=datetime(2026, 11, 23, 21, 0, tzinfo=LONDON))
    call.press("3")  # a callback when the desk opens
    call.press("2")  # on another number
    before = len(call.said)
    call.say("help he's here")
    answer = " ".join(s.text for s in call.said[before:])
    assert answer.startswith("If you are in danger, hang up and call 999."), answer
    assert HELPLINES in answer and "did not get that number" not in answer
    call.hang_up()


def test_an_urgent_caller_who_joined_later_is_rung_first(app, dial, clock):
    calm = dial()
    calm.press("2")
    clock.advance(minutes=5)
    scared = dial(from_="+447700900123")
    scared.say("emergency")
    with app.app_context():
        work = waiting.queue_work(session())
    assert [w.key for w in work] == [calm.call_sid, scared.call_sid]
    assert [w.urgent for w in work] == [False, True]
    agents = [rules.AgentInfo(1, "available", clock.current - timedelta(minutes=30))]
    [(first, _)] = rules.assign(work, agents, ringing=set())
    assert first.key == scared.call_sid
    calm.hang_up()
    scared.hang_up()
