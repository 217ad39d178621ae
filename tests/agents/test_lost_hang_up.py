"""A caller who hangs up while waiting, when Twilio's final status callback never
reaches the desk (the database away for that moment, a deploy restarting the web
tier; Twilio does not send it again): before, the call stayed "waiting" for ever, at
the front of the queue, on the wallboard and in every other caller's place in line,
and the router rang agent after agent for nobody.  Now the desk asks Twilio about the
callers it has not heard from, and ends those Twilio says are gone, as the callback
would have."""
from __future__ import annotations

from models.agents import Agent, AgentOffer
from models.calls import Call, CallEvent
from models.db import session
from services import agent_state, routing
from tests.agents.test_routing import ASHA, wait_in_queue

SECOND = "+447911123457"


def call_row(rows, sid: str) -> Call:
    return rows(Call, Call.call_sid == sid)[0]


def test_a_hang_up_whose_callback_was_lost_is_ended_from_twilio_and_no_agent_is_rung_for_it(
        add_agent, app, dial, clock, route, fake_twilio, rows, reconcile_calls):
    agent_id = add_agent("agent-a", ASHA, idle=30, state="busy")  # on duty, on another call
    gone = wait_in_queue(dial, clock, minutes=0)
    fake_twilio.enqueue(gone.call_sid, "desk")
    clock.advance(minutes=1)
    behind = wait_in_queue(dial, clock, minutes=0, from_=SECOND)
    fake_twilio.enqueue(behind.call_sid, "desk")
    clock.advance(minutes=1)
    fake_twilio.hang_up(gone.call_sid, duration=130)  # its "completed" callback is lost

    clock.advance(minutes=2)
    assert reconcile_calls() == 1
    call = call_row(rows, gone.call_sid)
    assert (call.status, call.outcome, call.waiting_since) == ("completed", "abandoned", None)
    assert call.ended_at is not None and call.duration_seconds == 130
    assert [e.event for e in rows(CallEvent, CallEvent.call_sid == gone.call_sid)][-1] == "abandoned"
    assert call_row(rows, behind.call_sid).ended_at is None, "a caller still waiting at Twilio is left alone"

    # the agent comes free: rung for the caller who is still there, not for the one who left
    with app.app_context():
        db = session()
        agent_state.change_state(db, db.get(Agent, agent_id), "available", clock())
        db.commit()
        routing.request_dispatch()
    rung = route()
    assert len(rung) == 1
    assert rows(AgentOffer)[0].caller_call_sid == behind.call_sid
    assert reconcile_calls() == 0, "nothing more to end"
    assert fake_twilio.contract_violations == []


def test_a_caller_gone_when_their_agent_answers_is_ended_not_offered_again(
        add_agent, app, dial, clock, route, pick_up, fake_twilio, rows):
    """The reconcile has not run yet: the agent is rung for a caller behind the front of
    the queue, who hangs up as the agent answers, and that callback is lost too.  Taking
    them out of the queue fails; the desk asks Twilio, ends the call, and does not ring
    anyone for it again."""
    fake_twilio.adopt_unknown = False
    add_agent("agent-en", "+447911200002", skills=("en",), state="busy")  # the English caller waits
    polish = add_agent("agent-pl", "+447911200004", skills=("pl",), state="busy")
    front = wait_in_queue(dial, clock, minutes=0)
    gone = dial(SECOND)
    gone.press("8")  # Polish
    gone.press("2")  # the desk
    assert gone.waiting_for == "queue"
    for caller in (front, gone):
        fake_twilio.enqueue(caller.call_sid, "desk")
    clock.advance(minutes=1)
    with app.app_context():
        db = session()
        agent_state.change_state(db, db.get(Agent, polish), "available", clock())
        db.commit()
        routing.request_dispatch()
    [ring] = route()
    agent = pick_up(ring)
    fake_twilio.hang_up(gone.call_sid, duration=75)  # as the agent answers; its callback is lost
    agent.press("1")
    assert route() == [], "the pull job, and no agent rung again"

    call = call_row(rows, gone.call_sid)
    assert (call.status, call.outcome, call.waiting_since) == ("completed", "abandoned", None)
    assert rows(AgentOffer)[0].status == "withdrawn"
    assert call_row(rows, front.call_sid).ended_at is None
    assert fake_twilio.contract_violations == []


def test_twilio_refusing_or_not_knowing_a_call_ends_nothing_and_fails_no_job(
        add_agent, app, dial, clock, fake_twilio, rows, reconcile_calls):
    add_agent("agent-a", ASHA, state="busy")
    waiting = wait_in_queue(dial, clock, minutes=0)
    fake_twilio.enqueue(waiting.call_sid, "desk")
    unknown = dial(SECOND)  # a call Twilio never had (as the development emulator's are)
    unknown.press("9")
    clock.advance(minutes=40)

    fake_twilio.fail_next(code=20003, on="Calls", method="GET")  # credentials refused
    assert reconcile_calls() == 0
    assert call_row(rows, waiting.call_sid).ended_at is None

    fake_twilio.adopt_unknown = False
    before = call_row(rows, unknown.call_sid).updated_at
    assert reconcile_calls() == 0
    assert call_row(rows, waiting.call_sid).ended_at is None, "still in Twilio's queue"
    after = call_row(rows, unknown.call_sid)
    assert after.ended_at is None and after.updated_at > before, "asked about, then to the back of the line"
