"""The agent's console: state buttons, the screen pop for a call routed to them
(emulated caller, real router and workers), the callback worklist, 'call now',
outcomes and case updates."""
from __future__ import annotations

from datetime import timedelta

import pytest

from models.agents import Agent, AgentOffer
from models.callbacks import CallbackRequest
from models.calls import Call
from models.cases import Case, CaseUpdate
from models.db import session
from models.outbox import OutboundMessage
from models.staff import AuditLog, CallbackNote
from tests.support.cases import REFERENCE
from tests.support.console import csrf_from, log_in, queue_caller
from tests.support.numbers import STRANGER, VICTIM
from tests.support.staffing import someone_on_duty

AGENT_A_PHONE, AGENT_B_PHONE = "+447911200001", "+447911200002"


@pytest.fixture
def agent_a(add_agent, staff):
    """Agent agent-a: a desk agent row (offline) and her console account. Returns the agent id."""
    agent_id = add_agent("agent-a", AGENT_A_PHONE, state="offline", idle=10)
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    return agent_id


def post(client, page, action, /, **data):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_state_buttons_change_the_agents_state_and_going_available_asks_for_routing(
        app, client, agent_a, rows, route, dial):
    log_in(client, "agent-a@desk.example")
    someone_on_duty(app)  # on another call
    queue_caller(dial)  # someone is already waiting; agent-a is offline so nobody was rung
    assert route() == []
    done = post(client, "/console/agent/", "/console/agent/state", state="available")
    assert done.status_code == 303
    assert rows(Agent)[0].state == "available"
    assert "You are now available." in text(client.get("/console/agent/"))
    [ring] = route()  # going available asked the router, which rang agent-a
    assert ring["to"] == AGENT_A_PHONE
    post(client, "/console/agent/", "/console/agent/state", state="wrap_up")
    assert rows(Agent)[0].state == "wrap_up"
    refused = post(client, "/console/agent/", "/console/agent/state", state="busy")
    assert refused.status_code == 303 and rows(Agent)[0].state == "wrap_up"
    assert [a.why for a in rows(AuditLog) if a.action == "set_state"] == ["available", "wrap_up"]


def test_screen_pop_for_a_verified_caller_shows_their_case_and_is_audited(
        app, client, agent_a, case, dial, route, pick_up, rows, book):
    book(VICTIM, requested_minutes_ago=60 * 24 * 3, joined_minutes_ago=60 * 24 * 3, status="completed",
         safe_to_call=False, last_outcome="connected")
    log_in(client, "agent-a@desk.example")
    post(client, "/console/agent/", "/console/agent/state", state="available")
    idle = client.get("/console/agent/current").get_json()["key"]

    caller = queue_caller(dial, VICTIM, verify=True)
    [ring] = route()
    assert client.get("/console/agent/current").get_json()["key"] != idle  # the page will reload
    page = text(client.get("/console/agent/"))
    assert "Incoming call" in page and "ringing" in page
    assert "Verified" in page and f"Case {REFERENCE}" in page
    assert "Named Victim" in page and "PC Example" in page and "under investigation" in page
    assert "A suspect has been interviewed." in page
    assert "Not safe to call back" in page  # from the earlier callback request
    assert "No voicemail" in page and "Texts allowed" in page and "09:00-17:00" in page
    call = rows(Call, Call.call_sid == caller.call_sid)[0]
    assert [(a.action, a.subject) for a in rows(AuditLog)][-1] == ("view_screen_pop", f"call:{call.id}")

    pick_up(ring).press("1")  # agent-a takes it: still her call, now accepted
    page = text(client.get("/console/agent/"))
    assert "accepted" in page and "Named Victim" in page


def test_screen_pop_for_an_unverified_caller_shows_no_case_details(
        client, agent_a, case, dial, route, book):
    book(STRANGER, requested_minutes_ago=120, joined_minutes_ago=120, status="failed", last_outcome="no-answer")
    log_in(client, "agent-a@desk.example")
    post(client, "/console/agent/", "/console/agent/state", state="available")
    queue_caller(dial, STRANGER, verify=True)  # typed the victim's reference from another phone
    route()
    page = text(client.get("/console/agent/"))
    assert "Not verified" in page and "Do not discuss any case details" in page
    for secret in (REFERENCE, "Named Victim", "PC Example", "under investigation", "suspect", "Camden"):
        assert secret not in page
    assert "no-answer" in page  # earlier callbacks for this number are still shown


def test_worklist_is_in_queue_order_with_due_and_overdue_marks(client, agent_a, book, staff, add_agent, clock):
    agent_b = add_agent("agent-b", AGENT_B_PHONE, state="offline")
    asked_by_menu = book("+447911300001", joined_minutes_ago=5, requested_minutes_ago=5)
    waited_first = book("+447911300002", joined_minutes_ago=150, requested_minutes_ago=120)
    retry_later = book("+447911300003", joined_minutes_ago=60, next_attempt_at=clock() + timedelta(minutes=30),
                       attempts=1)
    evening_only = book("+447911300004", joined_minutes_ago=30, window_start="18:00", window_end="20:00")
    agent_b_callback = book("+447911300005", joined_minutes_ago=200, agent_id=agent_b, status="in_progress")
    log_in(client, "agent-a@desk.example")
    page = text(client.get("/console/agent/callbacks"))
    order = [cb for cb in (waited_first, retry_later, evening_only, asked_by_menu, agent_b_callback)
             if f'data-callback="{cb}"' in page]
    assert order == [waited_first, retry_later, evening_only, asked_by_menu]  # not agent-b's
    assert page.index(f'data-callback="{waited_first}"') < page.index(f'data-callback="{retry_later}"') \
        < page.index(f'data-callback="{evening_only}"') < page.index(f'data-callback="{asked_by_menu}"')
    assert "overdue by 2 h</td>" in page
    assert "next attempt today 10:30" in page
    assert "outside the victim&#39;s safe times" in page
    assert "due now" in page
    assert "07… 001" in page and "+447911300001" not in page  # the list shows only the last digits
    assert "Open callback for 07… 001" in page
    assert client.get(f"/console/agent/callbacks/{agent_b_callback}").status_code == 404

    staff("sue@desk.example", "supervisor")
    sup = log_in(client.application.test_client(), "sue@desk.example")
    assert f'data-callback="{agent_b_callback}"' in text(sup.get("/console/agent/callbacks"))
    assert sup.get(f"/console/agent/callbacks/{agent_b_callback}").status_code == 200


def test_call_now_rings_the_agent_first_then_the_outcome_is_recorded(
        app, client, agent_a, book, route, pick_up, rows, fake_twilio):
    cb = book(VICTIM, joined_minutes_ago=20)
    log_in(client, "agent-a@desk.example")
    detail = text(client.get(f"/console/agent/callbacks/{cb}"))
    assert "Call now" in detail and VICTIM in detail
    placed = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/call")
    assert placed.status_code == 303
    [ring] = route()
    assert ring["to"] == AGENT_A_PHONE and fake_twilio.calls_to(VICTIM) == []  # agent first
    assert "/ivr/agent/answer?offer=" in ring.params["Url"][0]
    offer = rows(AgentOffer)[0]
    assert (offer.kind, offer.callback_id, offer.agent_id) == ("callback", cb, agent_a)
    assert rows(CallbackRequest)[0].status == "in_progress"
    # the screen pop now shows the callback
    assert "Callback — ringing" in text(client.get("/console/agent/"))
    # a second click while it rings is refused with a reason
    again = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/call")
    assert "not waiting" in text(client.get(again.headers["Location"]))

    agent = pick_up(ring)
    agent.press("1")
    assert VICTIM in agent.transcript[-1] or agent.waiting_for == "dial"
    agent.dial_outcome("no-answer")
    assert rows(CallbackRequest)[0].status == "pending"  # retried later by the workers
    saved = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/outcome",
                 outcome="no_answer", note="Rang out; will try after lunch.")
    assert saved.status_code == 303
    page = text(client.get(f"/console/agent/callbacks/{cb}"))
    assert "No answer" in page and "Rang out; will try after lunch." in page
    [note] = rows(CallbackNote)
    assert (note.outcome, note.note) == ("no_answer", "Rang out; will try after lunch.")
    assert {"call_now", "record_callback_outcome", "view_callback"} <= {a.action for a in rows(AuditLog)}


def test_closing_outcomes_close_a_waiting_callback(client, agent_a, book, rows):
    cb = book(VICTIM)
    log_in(client, "agent-a@desk.example")
    post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/outcome",
         outcome="wrong_number", note="")
    assert rows(CallbackRequest)[0].status == "cancelled"
    bad = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/outcome", outcome="bogus")
    assert "Choose an outcome." in text(client.get(bad.headers["Location"]))


def test_call_now_is_refused_outside_the_victims_safe_times(client, agent_a, book, route):
    cb = book(VICTIM, window_start="18:00", window_end="20:00")
    log_in(client, "agent-a@desk.example")
    assert "Call now" not in text(client.get(f"/console/agent/callbacks/{cb}"))
    refused = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/call")
    assert "not safe to call this victim now" in text(client.get(refused.headers["Location"]))
    assert route() == []


def test_call_now_is_refused_outside_the_safe_times_of_the_case_on_the_number(client, agent_a, book, route, app):
    with app.app_context():
        db = session()
        db.add(Case(crime_reference="5209999/26", reference_digits="520999926", victim_phone=VICTIM,
                    safe_call_times=["13:00-14:00"]))
        db.commit()
    cb = book(VICTIM)  # booked from another phone: no window of the caller's, no verified case
    log_in(client, "agent-a@desk.example")
    refused = post(client, f"/console/agent/callbacks/{cb}", f"/console/agent/callbacks/{cb}/call")
    assert "It is not safe to call this victim now: only 13:00-14:00 (London time)." in text(
        client.get(refused.headers["Location"]))
    assert route() == []


def test_a_case_update_from_the_screen_pop_goes_out_by_text(client, agent_a, case, dial, route, pick_up, rows):
    log_in(client, "agent-a@desk.example")
    post(client, "/console/agent/", "/console/agent/state", state="available")
    queue_caller(dial, VICTIM, verify=True)
    pick_up(route()[0]).press("1")
    posted = post(client, "/console/agent/", f"/console/agent/cases/{case}/updates",
                  message="Your property has been recovered.", status="property recovered",
                  next="/console/agent/")
    assert posted.status_code == 303 and posted.headers["Location"] == "/console/agent/"
    assert "it will be texted to the victim" in text(client.get("/console/agent/"))
    update = rows(CaseUpdate)[-1]
    assert update.message == "Your property has been recovered."
    [sms] = rows(OutboundMessage)
    assert sms.to_number == VICTIM and sms.purpose == "case_update"
    # full detail on the phone, but the case never said the details are safe in a text
    assert "recovered" not in sms.body and sms.body.startswith("Message from the desk you contacted:")
    assert ("post_case_update", f"case:{case}") in [(a.action, a.subject) for a in rows(AuditLog)]


def test_an_agent_cannot_post_on_a_case_that_is_not_theirs(client, agent_a, case, rows):
    log_in(client, "agent-a@desk.example")
    refused = post(client, "/console/agent/", f"/console/agent/cases/{case}/updates", message="hello")
    assert refused.status_code == 404
    assert len(rows(CaseUpdate)) == 1  # only the fixture's


def test_an_agent_account_without_a_desk_agent_is_told_so(client, staff):
    staff("sue@desk.example", "supervisor")
    with client.application.app_context():
        from sqlmodel import select

        from models.db import session
        from models.staff import StaffUser

        db = session()
        user = db.exec(select(StaffUser)).one()
        user.role = "agent"  # e.g. the agent row was removed
        db.add(user)
        db.commit()
    log_in(client, "sue@desk.example")
    assert "not linked to a desk agent" in text(client.get("/console/agent/"))
