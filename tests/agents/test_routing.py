"""Routing a caller waiting in the desk queue to an agent: real RQ workers, the fake
Twilio REST API, and both ends of the call driven through the emulator."""
from __future__ import annotations

from models.agents import Agent, AgentOffer
from models.calls import Call, CallEvent
from tests.support.service import DESK_NUMBER, PUBLIC_BASE_URL

VICTIM = "+447911123456"
ASHA, BEN, CARA = "+447911200001", "+447911200002", "+447911200003"


def states(rows) -> dict[str, tuple[str, int]]:
    return {a.name: (a.state, a.missed_in_a_row) for a in rows(Agent)}


def wait_in_queue(dial, clock, minutes=3, from_=VICTIM):
    caller = dial(from_)
    caller.press("2")  # speak to someone at the desk
    assert caller.waiting_for == "queue"
    clock.advance(minutes=minutes)
    return caller


def test_the_longest_idle_agent_is_rung_hears_the_whisper_and_is_bridged(
        add_agent, dial, clock, route, pick_up, twilio_fetch, rows, fake_twilio):
    add_agent("agent-b", BEN, idle=5)
    add_agent("agent-a", ASHA, idle=30)
    add_agent("agent-c", CARA, idle=60, state="offline")
    caller = wait_in_queue(dial, clock, minutes=3)

    rung = route()
    assert [c["to"] for c in rung] == [ASHA]
    ring = rung[0]
    assert ring["from"] == DESK_NUMBER
    assert ring.params["Timeout"] == ["20"]
    assert ring.params["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert ring.params["Url"][0].startswith(f"{PUBLIC_BASE_URL}/ivr/agent/answer?offer=")

    agent = pick_up(ring)
    assert agent.heard() == ("Victim Focus Desk caller. Waited 3 minutes. Not verified. Language: English. "
                             "Press 1 to take the call.")
    assert "+44" not in agent.heard() and "7911" not in agent.heard()
    agent.press("1")
    assert agent.waiting_for == "dial"
    assert states(rows)["agent-a"] == ("busy", 0)

    # Twilio fetches the <Queue url> for the dequeued caller just before bridging.
    offer = rows(AgentOffer)[0]
    said, _ = twilio_fetch(f"/ivr/agent/connecting?offer={offer.id}",
                           {"CallSid": caller.call_sid, "QueueSid": "QU" + "0" * 32, "QueueTime": "180",
                            "DequeingCallSid": ring.sid, "AccountSid": "AC" + "0" * 32})
    assert said == "Hello, connecting you now."
    call = rows(Call, Call.call_sid == caller.call_sid)[0]
    assert call.agent_id == rows(Agent, Agent.name == "agent-a")[0].id and call.waiting_since is None
    assert [e.event for e in rows(CallEvent, CallEvent.call_sid == caller.call_sid)][-1] == "connected"

    caller.answered_by_agent()
    clock.advance(minutes=7)
    agent.dial_outcome("completed", duration=420)
    assert agent.transcript == [
        "SAY(en-GB): Victim Focus Desk caller. Waited 3 minutes. Not verified. Language: English. "
        "Press 1 to take the call.",
        "GATHER dtmf -> pressed 1",
        "SAY(en-GB): Connecting you now.",
        "DIAL queue desk -> completed",  # <Dial><Queue>: the caller at the front, who is this one
        "SAY(en-GB): Call ended. You have 60 seconds of wrap-up before the next call.",
        "HANGUP",
    ]
    assert states(rows)["agent-a"] == ("wrap_up", 0)
    assert rows(AgentOffer)[0].status == "ended"
    assert route() == []  # nobody else waiting: nobody rung


def test_no_answer_moves_on_to_the_next_agent_and_two_misses_in_a_row_mean_offline(
        add_agent, dial, clock, route, pick_up, call_status, rows):
    add_agent("agent-a", ASHA, idle=30)
    add_agent("agent-b", BEN, idle=5)
    wait_in_queue(dial, clock, minutes=1)

    first = route()
    assert [c["to"] for c in first] == [ASHA]
    call_status(first[0], "ringing")
    call_status(first[0], "no-answer")
    assert states(rows) == {"agent-a": ("available", 1), "agent-b": ("available", 0)}

    second = route()
    assert [c["to"] for c in second] == [BEN]  # Asha missed this caller: Ben next
    call_status(second[0], "busy")
    assert states(rows) == {"agent-a": ("available", 1), "agent-b": ("available", 1)}

    third = route()  # both have missed this caller: the longest idle again
    assert [c["to"] for c in third] == [ASHA]
    call_status(third[0], "no-answer")
    call_status(third[0], "no-answer")  # a repeated callback counts once
    assert states(rows) == {"agent-a": ("offline", 2), "agent-b": ("available", 1)}

    fourth = route()
    assert [c["to"] for c in fourth] == [BEN]
    agent = pick_up(fourth[0])
    agent.press("1")  # taking a call resets the count
    assert states(rows)["agent-b"] == ("busy", 0)
    assert [o.outcome for o in rows(AgentOffer)] == ["no-answer", "busy", "no-answer", None]


def test_an_agent_who_answers_but_never_presses_1_has_missed_the_call(
        add_agent, dial, clock, route, pick_up, call_status, rows):
    add_agent("agent-a", ASHA, idle=30)
    add_agent("agent-b", BEN, idle=5)
    wait_in_queue(dial, clock)

    ring = route()[0]
    agent = pick_up(ring)  # e.g. the agent's own voicemail picked up
    agent.silence()
    assert agent.transcript[-2:] == ["SAY(en-GB): No key pressed. The call will go to another agent.", "HANGUP"]
    call_status(ring, "completed")  # the status callback after that changes nothing more
    assert states(rows) == {"agent-a": ("available", 1), "agent-b": ("available", 0)}
    assert [c["to"] for c in route()] == [BEN]


def test_a_caller_who_leaves_before_the_agent_answers_costs_the_agent_nothing(
        add_agent, dial, clock, route, pick_up, rows):
    add_agent("agent-a", ASHA, idle=30)
    caller = wait_in_queue(dial, clock)
    ring = route()[0]
    caller.hang_up()

    agent = pick_up(ring)
    assert agent.transcript == ["SAY(en-GB): The caller is no longer waiting. Thank you, you stay available.",
                                "HANGUP"]
    assert states(rows) == {"agent-a": ("available", 0)}
    assert rows(AgentOffer)[0].status == "withdrawn"
    assert route() == []


POLISH_VICTIM = "+447911123457"


def test_callers_are_matched_by_language_in_joining_order_and_a_caller_behind_the_front_is_pulled_by_callsid(
        add_agent, api, dial, clock, route, pick_up, twilio_fetch, rows, fake_twilio):
    response = api.post("/cases", {"crime_reference": "5201234/26", "victim_phone": POLISH_VICTIM})
    assert response.status_code == 201
    piotr = add_agent("agent-pl", "+447911200004", skills=("pl", "vawg"), idle=10)
    add_agent("agent-b", BEN, skills=("en",), idle=40)

    first = wait_in_queue(dial, clock, minutes=2)  # English, unverified, joins first
    second = dial(POLISH_VICTIM)
    second.press("8")                              # Polish
    second.press("1")                              # case update
    second.press("520123426#")
    second.press("2")                              # then the desk
    assert second.waiting_for == "queue"
    for caller in (first, second):                 # what <Enqueue> did at Twilio
        fake_twilio.enqueue(caller.call_sid, "desk")
    clock.advance(minutes=4)

    rung = route()
    assert sorted(c["to"] for c in rung) == sorted([BEN, "+447911200004"])
    to_piotr = next(c for c in rung if c["to"] != BEN)
    to_ben = next(c for c in rung if c["to"] == BEN)

    piotr_leg = pick_up(to_piotr)
    assert piotr_leg.heard().startswith(
        "Victim Focus Desk caller. Waited 4 minutes. Verified on a case. Language: Polish.")
    piotr_leg.press("1")
    # The English caller is still at the front: the Polish-speaking agent must not <Dial><Queue>desk (that
    # would take them).  He waits in a queue of his own while the Polish caller is
    # taken out of the desk queue by CallSid.
    assert piotr_leg.waiting_for == "queue"
    assert rung and route() == []  # runs the pull job; nobody new to ring
    [pulled] = fake_twilio.dequeued
    offer = rows(AgentOffer, AgentOffer.agent_id == piotr)[0]
    assert pulled["call_sid"] == second.call_sid
    assert pulled["url"] == f"{PUBLIC_BASE_URL}/ivr/agent/bridge?offer={offer.id}"
    assert [m["call_sid"] for m in fake_twilio.members(fake_twilio.queues[0].sid)] == [first.call_sid]

    said, verbs = twilio_fetch(f"/ivr/agent/bridge?offer={offer.id}",
                               {"CallSid": second.call_sid, "From": POLISH_VICTIM, "To": DESK_NUMBER})
    assert said == "Dzień dobry, łączymy." and verbs == ["Say", "Dial"]
    call = rows(Call, Call.call_sid == second.call_sid)[0]
    assert (call.agent_id, call.waiting_since, call.outcome) == (piotr, None, "connected")

    piotr_leg.answered_by_agent()                  # the caller's <Dial><Queue> takes him
    assert piotr_leg.transcript[-3:] == [
        "QUEUE answered by agent",
        "SAY(en-GB): Call ended. You have 60 seconds of wrap-up before the next call.",
        "HANGUP"]

    ben_leg = pick_up(to_ben)
    assert ben_leg.heard().startswith(
        "Victim Focus Desk caller. Waited 6 minutes. Not verified. Language: English.")
    ben_leg.press("1")
    assert ben_leg.waiting_for == "dial"           # the front of the queue: <Dial><Queue>desk
    ben_leg.dial_outcome("completed")
    assert "DIAL queue desk -> completed" in ben_leg.transcript


def test_after_wrap_up_the_agent_takes_the_next_caller(add_agent, app, dial, clock, route, pick_up, rows,
                                                      fire_scheduled):
    from datetime import UTC, datetime

    app.config["AGENT_WRAP_UP_SECONDS"] = 120
    add_agent("agent-a", ASHA, idle=30)
    wait_in_queue(dial, clock, minutes=1)
    agent = pick_up(route()[0])
    agent.press("1")
    agent.dial_outcome("completed")
    assert agent.said[-1].text == "Call ended. You have 120 seconds of wrap-up before the next call."

    wait_in_queue(dial, clock, minutes=1, from_=POLISH_VICTIM)
    assert route() == []                           # a minute into wrap-up: not rung
    assert states(rows)["agent-a"] == ("wrap_up", 0)
    clock.advance(seconds=61)
    [when] = fire_scheduled()                      # a dispatch was scheduled for the end of wrap-up
    assert 115 <= (when - datetime.now(UTC)).total_seconds() <= 125
    assert [c["to"] for c in route()] == [ASHA]
    assert states(rows)["agent-a"] == ("available", 0)


def test_two_dispatchers_at_once_ring_each_agent_and_each_caller_once(add_agent, app, dial, clock, fake_twilio,
                                                                     route):
    import threading

    from workers.queues import all_queues
    from workers.router import dispatch

    for n in range(3):
        add_agent(f"Agent {n}", f"+4479112000{n + 1:02d}", idle=10 * n)
    for n in range(2):
        wait_in_queue(dial, clock, minutes=1, from_=f"+4479111234{n + 60}")
    with app.app_context():
        for q in all_queues(app.config):
            q.empty()  # the callers' own dispatch requests: run them concurrently below instead

    start = threading.Barrier(4)

    def run():
        with app.app_context():
            start.wait()
            dispatch()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    # The two longest-idle agents, once each, one per caller.
    assert sorted(c["to"] for c in fake_twilio.calls) == ["+447911200002", "+447911200003"]
    assert route() == []


def test_a_call_that_lasted_0_seconds_leaves_the_agent_available_with_no_wrap_up(
        add_agent, dial, clock, route, pick_up, rows, fire_scheduled):
    add_agent("agent-a", ASHA, idle=30)
    wait_in_queue(dial, clock, minutes=1)
    agent = pick_up(route()[0])
    agent.press("1")
    agent.dial_outcome("completed", duration=0)
    assert agent.said[-1].text == "Call ended. You stay available."
    assert states(rows)["agent-a"] == ("available", 0)
    assert rows(AgentOffer)[0].status == "ended"
    assert fire_scheduled() == []  # no end of wrap-up to wait for
