"""A case the case system marks VAWG is routed to an agent with the ``vawg`` skill
first: a caller verified on it in the queue, and a callback booked for it."""
from __future__ import annotations

from models.callbacks import CallbackRequest
from models.db import session

VICTIM = "+447911123456"
ASHA, VERA = "+447911200001", "+447911200002"


def two_agents(add_agent):
    add_agent("agent-a", ASHA, idle=30)                        # idle longest, no vawg skill
    add_agent("agent-v", VERA, skills=("en", "vawg"), idle=5)


def add_case(api, vawg):
    created = api.post("/cases", {"crime_reference": "CAD 5201234/26", "victim_phone": VICTIM, "vawg": vawg})
    assert created.status_code == 201, created.json
    return created.json["id"]


def verified_caller_waits(dial):
    caller = dial(VICTIM)
    caller.press("1")
    caller.press("520123426#")
    assert "Your case is open." in caller.heard()
    caller.press("2")  # then speak to someone at the desk
    assert caller.waiting_for == "queue"
    return caller


def test_a_verified_caller_on_a_vawg_case_is_offered_to_the_vawg_agent_first(add_agent, api, dial, route):
    two_agents(add_agent)
    add_case(api, vawg=True)
    verified_caller_waits(dial)
    assert [c["to"] for c in route()] == [VERA]


def test_a_verified_caller_on_another_case_goes_to_the_longest_idle_agent(add_agent, api, dial, route):
    two_agents(add_agent)
    add_case(api, vawg=False)
    verified_caller_waits(dial)
    assert [c["to"] for c in route()] == [ASHA]


def test_a_callback_for_a_vawg_case_is_offered_to_the_vawg_agent_first(add_agent, api, app, clock, sweep):
    two_agents(add_agent)
    case_id = add_case(api, vawg=True)
    with app.app_context():
        db = session()
        db.add(CallbackRequest(phone=VICTIM, queue_joined_at=clock(), requested_at=clock(),
                               verified_case_id=case_id))
        db.commit()
    [ring] = sweep()
    assert ring["to"] == VERA
