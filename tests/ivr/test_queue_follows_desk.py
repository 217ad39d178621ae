"""The queue follows the desk and tells the truth: the place read out is the caller's
place in the router's own order (callers and due callbacks ahead, urgent first), the
wait comes from the recent answer rate, and at closing time (or when the last agent
goes offline) callers still waiting hear so, may book a callback that keeps their
place or hold for a grace period, then reach the safe ending."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from desk.clock import LONDON
from models.agents import Agent
from models.callbacks import CallbackRequest
from models.calls import Call, CallEvent
from models.db import session
from tests.support.golden import assert_golden
from tests.support.numbers import OTHER_PHONE

CLOSING = "Sorry, the desk is closing and nobody may be free to answer."
CLOSED = "Sorry, the desk has now closed and nobody could answer your call."
HELPLINES = "0 8 0 8, 2 0 0 0, 2 4 7"


def waiting_caller(app, sid: str, joined: datetime, *, urgent: bool = False) -> None:
    with app.app_context():
        db = session()
        db.add(Call(call_sid=sid, caller="+447700900123", started_at=joined, queue_joined_at=joined,
                    waiting_since=joined, state={"vars": {"urgent": True}} if urgent else {}))
        db.commit()


def due_callback(app, joined: datetime) -> None:
    with app.app_context():
        db = session()
        db.add(CallbackRequest(phone=OTHER_PHONE, queue_joined_at=joined, requested_at=joined))
        db.commit()


def answered_calls(app, count: int, at: datetime, agent_id: int = 1) -> None:
    with app.app_context():
        db = session()
        for i in range(count):
            db.add(CallEvent(call_sid=f"CAdone{i}", event="connected", at=at.astimezone(UTC), agent_id=agent_id))
        db.commit()


def test_the_place_read_out_is_the_place_in_the_routers_order(app, dial, clock):
    now = clock.current
    waiting_caller(app, "CAearlier", now - timedelta(minutes=10))
    due_callback(app, now - timedelta(minutes=5))
    call = dial()
    call.press("2")
    waiting_caller(app, "CAurgent", now + timedelta(seconds=30), urgent=True)  # joins later, served first
    clock.advance(minutes=1)
    call.wait_in_queue(polls=1, position=1, size=3)  # Twilio counts its own queue only
    assert "You are number 4 in the queue." in call.heard()
    call.hang_up()


def test_the_wait_comes_from_the_answer_rate(app, dial, clock):
    # 24 answered in the last hour by one agent (0.4 a minute); one agent on duty now
    answered_calls(app, 24, clock.current - timedelta(minutes=30))
    waiting_caller(app, "CAahead", clock.current - timedelta(minutes=3))
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=2, avg_wait=30)  # Twilio's average: ignored
    heard = call.heard()
    assert "You are number 2 in the queue." in heard and "The wait is about 5 minutes." in heard
    call.hang_up()
    assert_golden("queue_honest_wait", call,
                  "Monday 10:00; one caller ahead, 24 calls answered in the last hour by one agent")


def test_the_answer_rate_counts_the_time_agents_were_on_duty(app, dial, clock):
    """24 answered in the last hour by an agent who came on duty half an hour ago: 0.8 a
    minute, not 0.4 (as if they had been there all hour), so the caller behind one other
    hears about 3 minutes, not 5."""
    from services import agent_state

    with app.app_context():
        db = session()
        agents = db.exec(select(Agent).where(Agent.state != "offline")).all()
        for agent in agents:  # every agent on duty now came on duty 30 minutes ago
            agent_state.change_state(db, agent, "offline", clock.current - timedelta(hours=3))
            agent_state.change_state(db, agent, "available", clock.current - timedelta(minutes=30))
        db.commit()
        assert len(agents) == 1
    answered_calls(app, 24, clock.current - timedelta(minutes=20), agent_id=agents[0].id)
    waiting_caller(app, "CAahead", clock.current - timedelta(minutes=3))
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=2, avg_wait=30)
    heard = call.heard()
    assert "You are number 2 in the queue." in heard and "The wait is about 3 minutes." in heard
    call.hang_up()


def test_no_wait_is_announced_from_too_few_answers(app, dial, clock):
    answered_calls(app, 4, clock.current - timedelta(minutes=30))  # the minimum is 5
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=1, avg_wait=30)
    heard = call.heard()
    assert "You are number 1 in the queue." in heard and "The wait is" not in heard
    call.hang_up()


def test_callers_still_waiting_at_closing_time_hear_so_then_reach_the_safe_ending(app, dial, clock):
    call = dial(at=datetime(2026, 11, 23, 19, 58, tzinfo=LONDON))
    call.press("2")
    call.wait_in_queue(polls=1)
    assert CLOSING not in call.heard()
    clock.advance(minutes=3)  # 20:01: closed
    call.wait_in_queue(polls=1)
    assert CLOSING in call.heard() and "in the next 10 minutes" in call.heard()
    assert not call.ended  # holding, in the wait music
    clock.advance(minutes=5)
    call.wait_in_queue(polls=1)  # still holding in the grace period
    assert call.heard().count(CLOSING) == 1 and not call.ended
    clock.advance(minutes=6)  # 20:12: the grace period is over
    call.wait_in_queue(polls=1)
    heard = call.heard()
    assert CLOSED in heard and "We open again tomorrow at 8 am." in heard and HELPLINES in heard
    call.silence()
    call.silence()
    assert call.ended and "call 999" in call.said[-2].text
    assert_golden("queue_closing_time", call,
                  "Monday 19:58, joins the queue; the desk closes at 20:00; holds through the grace period")


def test_a_caller_at_closing_time_can_book_a_callback_that_keeps_their_place(app, dial, clock):
    joined = datetime(2026, 11, 23, 19, 58, tzinfo=LONDON)
    call = dial(at=joined)
    call.press("2")
    call.wait_in_queue(polls=1)
    clock.advance(minutes=3)
    call.wait_in_queue(polls=1)
    call.press("1")  # be called back, keeping the place
    call.press("1")  # this number
    call.press("1")  # safe
    call.press("2")  # no voicemail
    call.press("1")  # any time
    call.press("1")  # confirm
    assert call.ended
    with app.app_context():
        [booked] = session().exec(select(CallbackRequest)).all()
        assert booked.queue_joined_at.replace(tzinfo=None) == joined.astimezone(UTC).replace(tzinfo=None)


def test_the_last_agent_going_offline_closes_the_queue_too(app, dial, clock):
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1)
    with app.app_context():
        db = session()
        for agent in db.exec(select(Agent)).all():
            agent.set_state("offline", clock.current)
            db.add(agent)
        db.commit()
    clock.advance(minutes=1)
    call.wait_in_queue(polls=1)
    assert CLOSING in call.heard()
    clock.advance(minutes=11)
    call.wait_in_queue(polls=1)
    heard = call.heard()
    assert "Nobody is free to take your call at the moment." in heard and HELPLINES in heard
    assert call.waiting_for == "gather"
    call.hang_up()


def test_silence_in_the_callback_questions_at_closing_time_puts_the_caller_back_for_the_grace_period(
        app, dial, clock):
    call = dial(at=datetime(2026, 11, 23, 19, 58, tzinfo=LONDON))
    call.press("2")
    call.wait_in_queue(polls=1)
    clock.advance(minutes=3)  # 20:01: closing
    call.wait_in_queue(polls=1)
    call.press("1")  # a callback, keeping the place
    assert "To keep holding, press star." in call.heard()
    call.silence()
    call.silence()
    assert "We did not hear you, so you are back in the queue." in call.heard() and not call.ended
    clock.advance(minutes=2)
    call.wait_in_queue(polls=1)
    assert call.heard().count(CLOSING) == 1  # the grace period runs on, not again from the start
    clock.advance(minutes=9)  # 20:12
    call.wait_in_queue(polls=1)
    assert CLOSED in call.heard()
    call.hang_up()
