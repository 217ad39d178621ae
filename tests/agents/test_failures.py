"""When Twilio refuses, or never tells us how a call ended: nobody is stuck."""
from __future__ import annotations

from datetime import timedelta

from models.agents import AgentOffer
from models.callbacks import CallbackAttempt, CallbackRequest
from models.db import session
from tests.agents.test_routing import ASHA, BEN, states, wait_in_queue


def test_a_refused_rest_call_is_tried_again_and_a_number_twilio_cannot_dial_takes_the_agent_off_duty(
        add_agent, dial, clock, route, sweep, rows, fake_twilio):
    add_agent("agent-a", ASHA, idle=30)
    add_agent("agent-b", BEN, idle=5)
    wait_in_queue(dial, clock)

    fake_twilio.fail_next(status=429, on="Calls")
    assert route() == []                                    # Too Many Requests: nothing placed
    assert states(rows) == {"agent-a": ("available", 0), "agent-b": ("available", 0)}
    assert rows(AgentOffer)[0].outcome == "twilio_20429"

    fake_twilio.fail_next(code=21211, on="Calls", to=ASHA)  # Asha's number is not a valid number
    assert [c["to"] for c in sweep()] == [BEN]               # the next pass: Asha refused, Ben rung
    assert states(rows) == {"agent-a": ("offline", 0), "agent-b": ("available", 0)}


def test_agents_reached_by_twilio_client_identity(add_agent, dial, clock, route):
    add_agent("Desk PC", client="desk-pc-1", idle=30)
    wait_in_queue(dial, clock)
    assert [c["to"] for c in route()] == ["client:desk-pc-1"]


def test_an_offer_twilio_never_reports_on_is_given_up_and_the_caller_offered_again(
        add_agent, dial, clock, route, sweep, rows):
    add_agent("agent-a", ASHA, idle=30)
    wait_in_queue(dial, clock)
    assert [c["to"] for c in route()] == [ASHA]
    clock.advance(seconds=119)
    assert sweep() == []                                     # still ringing, as far as we know
    clock.advance(seconds=2)
    assert [c["to"] for c in sweep()] == [ASHA]              # stale: given up, not counted as a miss
    assert states(rows) == {"agent-a": ("available", 0)}
    assert [o.status for o in rows(AgentOffer)] == ["withdrawn", "ringing"]


def test_a_callback_attempt_whose_end_never_arrives_is_closed_and_retried(
        app, add_agent, clock, sweep, pick_up, rows):
    add_agent("agent-a", ASHA, idle=30)
    with app.app_context():
        db = session()
        db.add(CallbackRequest(phone="+447911123456", queue_joined_at=clock(), requested_at=clock()))
        db.commit()
    agent = pick_up(sweep()[0])
    agent.press("1")                                         # dialling the victim... then silence from Twilio
    clock.advance(hours=4, seconds=1)
    assert sweep() == []                                     # the retry is 15 minutes after the lost attempt
    [request] = rows(CallbackRequest)
    assert (request.status, request.attempts, request.last_outcome) == ("pending", 1, "lost")
    assert request.next_attempt_at == clock() + timedelta(minutes=15)
    assert [a.outcome for a in rows(CallbackAttempt)] == ["lost"]
    assert states(rows) == {"agent-a": ("available", 0)}
    clock.advance(minutes=15)
    assert len(sweep()) == 1


def test_when_the_database_fails_the_caller_is_still_put_through(monkeypatch, twilio_fetch):
    from services import callbacks, waiting

    def down(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(waiting, "caller_info", down)
    monkeypatch.setattr(callbacks, "get_attempt", down)
    monkeypatch.setattr("ivr.agent_routes._offer", down)
    params = {"CallSid": "CA" + "1" * 32, "AnsweredBy": "machine_end_beep"}
    assert twilio_fetch("/ivr/agent/connecting?offer=1", params) == ("Hello, connecting you now.", ["Say"])
    assert twilio_fetch("/ivr/agent/bridge?offer=1", params) == ("Hello, connecting you now.", ["Say", "Dial"])
    # a machine is never left a message without the consent check: silence, then the agent decides
    assert twilio_fetch("/ivr/agent/callback/screen?offer=1", params) == ("", [])
