"""The console in headless Chromium: each role logs in, an emulated caller is routed
into the agent's screen pop, a callback is worked, and the supervisor's and admin's
pages open.  Screenshots go to tests/artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models.callbacks import CallbackRequest
from models.staff import AuditLog, CallbackNote
from tests.console.browser_support import browser_login, shoot
from tests.support.cases import REFERENCE
from tests.support.console import queue_caller
from tests.support.numbers import STRANGER, VICTIM

pytestmark = pytest.mark.browser

AGENT_A_PHONE = "+447911200001"
SUPERVISOR_LINKS = ("Wallboard", "Call log", "KPIs", "Ratings", "Audit log")


@pytest.fixture
def agent_a(add_agent, staff):
    agent_id = add_agent("agent-a", AGENT_A_PHONE, state="offline", idle=10)
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    return agent_id


def test_anonymous_visitors_get_the_login_page(page):
    page.goto("/console/supervisor/")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console/supervisor/"))
    expect(page.get_by_role("heading", name="Log in to the desk console")).to_be_visible()
    shoot(page, "anonymous-login")
    page.get_by_label("Email").fill("nobody@desk.example")
    page.get_by_label("Password").fill("not a real password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_have_text("That email and password do not match an active account.")
    assert page.js_errors == []


def test_a_call_is_routed_into_the_agents_screen_pop(page, agent_a, case, dial, route, pick_up, clock, rows):
    browser_login(page, "agent-a@desk.example")
    expect(page.get_by_role("heading", name="My calls")).to_be_visible()
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#agent-state")).to_have_text("available")
    expect(page.get_by_role("heading", name="No call for you right now")).to_be_visible()
    shoot(page, "agent-available")

    # A victim phones from the number on their case, types the reference, asks for the desk.
    caller = queue_caller(dial, VICTIM, verify=True)
    [ring] = route()
    assert ring["to"] == AGENT_A_PHONE
    # The screen pop notices by itself (polling) and shows the verified case.
    expect(page.locator("#pop-case")).to_contain_text(f"Case {REFERENCE}")
    expect(page.locator("#pop-case")).to_contain_text("Named Victim")
    expect(page.locator("#pop-number")).to_have_text(VICTIM)
    expect(page.locator("#screen-pop")).to_contain_text("Texts allowed")
    expect(page.locator("#screen-pop")).to_contain_text("No voicemail")
    shoot(page, "agent-screen-pop-verified")

    agent_leg = pick_up(ring)
    agent_leg.press("1")
    expect(page.locator("#pop-h")).to_contain_text("accepted")
    caller.answered_by_agent()
    clock.advance(minutes=5)
    agent_leg.dial_outcome("completed", duration=300)
    expect(page.get_by_role("heading", name="No call for you right now")).to_be_visible()
    expect(page.locator("#agent-state")).to_have_text("wrap-up")

    # Back to available; now someone phones from another number with the same reference.
    page.get_by_role("button", name="Available").click()
    queue_caller(dial, STRANGER, verify=True)
    route()
    expect(page.locator("#pop-case")).to_contain_text("Not verified")
    pop = page.locator("#screen-pop").inner_text()
    for secret in (REFERENCE, "Named Victim", "PC Example", "under investigation"):
        assert secret not in pop
    shoot(page, "agent-screen-pop-unverified")
    assert [a.action for a in rows(AuditLog)].count("view_screen_pop") >= 2
    assert page.js_errors == []


def test_an_agent_works_a_callback(page, agent_a, book, route, pick_up, twilio_fetch, rows, fake_twilio):
    from tests.support.replies import last_twiml
    from tests.support.service import DESK_NUMBER

    later = book("+447911300001", joined_minutes_ago=5)
    first = book(VICTIM, joined_minutes_ago=90, requested_minutes_ago=90)
    browser_login(page, "agent-a@desk.example")
    page.get_by_role("link", name="Callbacks").click()
    rows_in_order = page.locator("#worklist tbody tr").evaluate_all("rs => rs.map(r => r.dataset.callback)")
    assert rows_in_order == [str(first), str(later)]  # the order the queue promised
    expect(page.locator(f'tr[data-callback="{first}"]')).to_contain_text("overdue")
    expect(page.locator(f'tr[data-callback="{later}"]')).to_contain_text("due now")
    shoot(page, "agent-callback-worklist")

    page.locator(f'tr[data-callback="{first}"]').get_by_role("link", name="Open").click()
    page.get_by_role("button", name="Call now").click()
    expect(page.get_by_role("status")).to_contain_text("Your phone will ring now")
    [ring] = route()
    assert ring["to"] == AGENT_A_PHONE and fake_twilio.calls_to(VICTIM) == []  # the agent first
    agent_leg = pick_up(ring)
    agent_leg.press("1")
    number = last_twiml(agent_leg).find("Dial/Number")
    assert number.text == VICTIM
    twilio_fetch(number.get("url"), {"CallSid": "CA" + "7" * 32, "AnsweredBy": "human", "To": VICTIM,
                                     "From": DESK_NUMBER, "CallStatus": "in-progress"})
    agent_leg.dial_outcome("completed", duration=240)
    assert [c.status for c in rows(CallbackRequest, CallbackRequest.id == first)] == ["completed"]

    page.reload()
    expect(page.locator("#callback-status")).to_have_text("completed")
    page.get_by_label("Outcome").select_option("spoke_to_victim")
    page.get_by_label("Note").fill("Explained the next court date.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator("#notes")).to_contain_text("Spoke to the victim")
    expect(page.locator("#notes")).to_contain_text("Explained the next court date.")
    shoot(page, "agent-callback-worked")
    assert [(n.callback_id, n.outcome) for n in rows(CallbackNote)] == [(first, "spoke_to_victim")]
    assert page.js_errors == []


def test_a_supervisor_sees_their_pages(page, staff, agent_a, book):
    book(VICTIM)
    staff("sue@desk.example", "supervisor")
    browser_login(page, "sue@desk.example")
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Staff")).to_have_count(0)  # admins only
    expect(nav.get_by_role("link", name="My calls")).to_have_count(0)  # agents only
    present = [name for name in SUPERVISOR_LINKS if nav.get_by_role("link", name=name, exact=True).count()]
    assert "Audit log" in present
    for name in present:
        nav.get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").count() >= 1, name
        assert "Not allowed" not in page.content()
        shoot(page, f"supervisor-{name.lower().replace(' ', '-')}")
    # supervisors see the whole callback worklist
    nav.get_by_role("link", name="Callbacks").click()
    expect(page.locator("#worklist tbody tr")).to_have_count(1)
    page.goto("/console/admin/staff")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert page.js_errors == []


def test_an_admin_manages_tokens_and_hours(page, staff):
    staff("ada@desk.example", "admin")
    browser_login(page, "ada@desk.example")
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    shoot(page, "admin-staff")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("case-system")
    page.locator("input[name=scope][value='cases:write']").check()
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("vfd_")
    shoot(page, "admin-token-shown-once")
    page.reload()  # a refresh re-posts nothing and shows the token no more
    page.goto("/console/admin/tokens")
    assert token not in page.content()
    expect(page.locator('tr[data-token="case-system"]')).to_contain_text("live")
    page.locator('tr[data-token="case-system"]').get_by_role("button", name="Revoke").click()
    expect(page.locator('tr[data-token="case-system"]')).to_contain_text("revoked")

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Hours").click()
    page.get_by_label("Date").fill("2026-12-24")
    page.get_by_label("open these hours:").check()
    page.get_by_label("Hours (e.g. 08:00-14:00)").fill("08:00-14:00")
    page.get_by_label("Reason callers hear").fill("Christmas Eve")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#hours-table")).to_contain_text("08:00-14:00")
    shoot(page, "admin-hours")
    assert page.js_errors == []
