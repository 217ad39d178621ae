"""The wallboard in Chromium as a desk would use it: a wall screen on an admin's code
stays live past every staff session limit and stops when revoked; a board whose
refresh fails greys out and says since when; today so far, the agents one by one,
the split by skill and why callers wait, refreshed without a reload.  Screenshots at
1440 and 390 px go to tests/artifacts/ (wallboard-*)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from desk import settings
from emulator.caller import Caller
from models.agents import Agent, AgentOffer
from models.calls import Call
from models.db import session
from tests.console.browser_support import browser_login, shoot
from tests.support.history import add_call, london
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from tests.support.staffing import someone_on_duty

pytestmark = pytest.mark.browser

NOW = london(2026, 11, 23, 10, 0)  # the clock fixture's Monday 10:00


def shots(page, name: str) -> None:
    """Full-page screenshots at a desktop and a phone width; at 390 px the board itself
    does not scroll sideways (its tables scroll inside their own boxes)."""
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"wallboard-{name}-{width}")
    overflow = page.evaluate("document.getElementById('wallboard').scrollWidth - document.getElementById('wallboard').clientWidth")
    assert overflow <= 0, f"the wallboard scrolls sideways at 390 px ({overflow} px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def queue_caller(client, clock, number="+447911123456"):
    return Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=number, to=DESK_NUMBER,
                  status_url="/ivr/status", clock=clock).dial().press("2")


def test_a_wall_screen_stays_live_past_staff_sessions_and_stops_when_revoked(page, new_page, app, client, clock,
                                                                             staff):
    staff("ada@desk.example", "admin")
    browser_login(page, "ada@desk.example")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Wall screens").click()
    page.get_by_label("Name").fill("desk room wall")
    page.get_by_role("button", name="Create code").click()
    code = page.locator("#new-wall-code").inner_text()
    assert code.startswith("vfw_")

    screen = new_page()
    screen.goto("/console/supervisor/wall")
    screen.get_by_label("Wall-screen code").fill(code)
    screen.get_by_role("button", name="Show the wallboard").click()
    expect(screen.get_by_role("heading", name="Wallboard")).to_be_visible()
    waiting = screen.locator('[data-field="callers_waiting"]')
    expect(waiting).to_have_text("0")

    settings.override(app.config, CONSOLE_SESSION_MAX_HOURS=1)
    clock.advance(hours=2)  # past the idle timeout and the longest staff session (desk still open)
    someone_on_duty(app)
    queue_caller(client, clock)
    clock.advance(seconds=75)
    expect(waiting).to_have_text("1", timeout=12_000)  # still refreshing, no login asked for
    expect(screen.locator('[data-field="longest_wait_seconds"]')).to_have_text("1m 15s")
    expect(screen.locator("#wb-stale")).to_be_hidden()
    assert "7911123456" not in screen.content() and "123456" not in screen.content()
    shots(screen, "wall-screen-live")

    browser_login(page, "ada@desk.example", path="/console/admin/wall-screens")  # the admin's session ended
    page.get_by_role("button", name="Revoke desk room wall").click()
    expect(page.locator('tr[data-screen="desk room wall"]')).to_contain_text("revoked")

    stale = screen.locator("#wb-stale")
    expect(stale).to_be_visible(timeout=12_000)
    expect(stale).to_contain_text("Not updated since 12:01:15")
    expect(stale).to_contain_text("This screen's access was withdrawn")
    expect(screen.locator("#wallboard")).to_have_class("wallboard wall-screen stale")
    shots(screen, "wall-screen-revoked")
    assert page.js_errors == []


def test_a_stale_wallboard_greys_out_every_figure_and_says_since_when(page, staff, clock):
    staff("sup@desk.example.org", "supervisor")
    browser_login(page, "sup@desk.example.org", path="/console/supervisor/")
    expect(page.get_by_role("heading", name="Wallboard")).to_be_visible()
    page.route("**/wallboard.json", lambda route: route.abort())  # the network or the server is down
    stale = page.locator("#wb-stale")
    expect(stale).to_be_visible(timeout=12_000)
    expect(stale.locator(".wb-stale-big")).to_have_text("Not updated since 10:00:00")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.wb-stale-big')).fontSize)") >= 30
    greyed = page.evaluate("""Array.from(document.querySelectorAll('#wallboard .tile, #wallboard table'))
        .map(el => getComputedStyle(el).filter)""")
    assert greyed and all("grayscale(1)" in f for f in greyed), greyed
    shots(page, "stale")
    page.unroute("**/wallboard.json")
    expect(stale).to_be_hidden(timeout=12_000)  # live again: figures in colour
    assert page.evaluate("getComputedStyle(document.querySelector('#wallboard .tile')).filter") == "none"


def test_today_so_far_the_agents_and_why_callers_wait(page, app, staff, clock):
    with app.app_context():
        db = session()
        add_call(db, london(2026, 11, 22, 16, 0), outcome="connected", wait=5)  # yesterday
        add_call(db, london(2026, 11, 23, 8, 30), outcome="connected", wait=20)
        add_call(db, london(2026, 11, 23, 9, 15), outcome="connected", wait=150)
        add_call(db, london(2026, 11, 23, 9, 40), outcome="abandoned", wait=60)
        bea = Agent(name="Bea Busy", client_identity="bea", skills=["en"], state="busy",
                    state_changed_at=NOW - timedelta(minutes=6))
        al = Agent(name="Al Available", client_identity="al", skills=["en", "vawg"], state="available",
                   state_changed_at=NOW - timedelta(minutes=2))
        db.add_all([bea, al])
        db.flush()
        db.add(AgentOffer(agent_id=bea.id, kind="queue", status="connected", created_at=NOW - timedelta(minutes=6),
                          answered_at=NOW - timedelta(minutes=5, seconds=30)))
        for sid, waited, language in (("CAwait1", 130, "en"), ("CAwait2", 40, "pl")):
            db.add(Call(call_sid=sid, started_at=NOW - timedelta(seconds=waited + 20), language=language,
                        queue_joined_at=NOW - timedelta(seconds=waited), waiting_since=NOW - timedelta(seconds=waited),
                        path=[], state={}))
        db.add(AgentOffer(agent_id=al.id, kind="queue", status="ringing", caller_call_sid="CAwait1", created_at=NOW))
        db.commit()

    staff("sup@desk.example.org", "supervisor")
    browser_login(page, "sup@desk.example.org", path="/console/supervisor/")
    board = page.locator("#wallboard")
    expect(board.locator('[data-field="offered_today"]')).to_have_text("5")  # with the two waiting
    expect(board.locator('[data-field="answered_today"]')).to_have_text("2")
    expect(board.locator('[data-field="abandoned_today"]')).to_have_text("1")
    expect(board.locator('[data-field="service_level_today"]')).to_have_text("50%")
    expect(board.locator('[data-level-text="service_level_today"]')).to_have_text("Alert: below 60%")
    expect(board.locator('[data-level-text="longest_wait_seconds"]')).to_have_text("Warning: 1m 00s or longer")
    expect(board.locator('[data-field="by_skill.waiting.polish"]')).to_have_text("1")
    expect(page.locator("#wb-why")).to_contain_text("1 offer is ringing")
    agents = page.locator("#wb-agents tbody tr")
    expect(agents.nth(0).locator("th, td")).to_have_text(["Bea Busy", "busy", "6m 00s", "5m 30s", "1"])
    expect(agents.nth(1).locator("th, td")).to_have_text(["Al Available", "available (being rung)", "2m 00s", "–", "0"])
    shots(page, "today")

    with app.app_context():  # another caller joins and the ringing agent takes the first
        db = session()
        db.add(Call(call_sid="CAwait3", started_at=NOW, language="en", queue_joined_at=NOW, waiting_since=NOW,
                    path=[], state={}))
        db.add(Call(call_sid="CAwait4", started_at=NOW, language="en", queue_joined_at=NOW, waiting_since=NOW,
                    path=[], state={}))
        db.commit()
    clock.advance(seconds=20)
    tile = board.locator('[data-level="callers_waiting"]')
    expect(tile.locator('[data-field="callers_waiting"]')).to_have_text("4", timeout=12_000)
    expect(tile).to_have_class("tile wb-level-amber")
    expect(tile.locator('[data-level-text="callers_waiting"]')).to_have_text("Warning: 3 or more waiting")
    expect(agents.nth(0).locator("th, td")).to_have_text(["Bea Busy", "busy", "6m 20s", "5m 50s", "1"])
    assert page.js_errors == []


def test_history_pages_agent_activity_and_intervals(page, app, staff, clock):
    from services import agent_state

    with app.app_context():
        db = session()
        names = ("Al Agent", "Bea Agent")
        agents = [Agent(name=n, client_identity=n.split()[0].lower(), skills=["en"], state="offline") for n in names]
        db.add_all(agents)
        db.commit()
        for day in (19, 20):
            for n, agent in enumerate(agents):
                t = london(2026, 11, day, 9, 0) + timedelta(minutes=15 * n)
                for state, minutes in (("available", 0), ("busy", 30), ("wrap_up", 40), ("available", 45),
                                       ("offline", 240)):
                    agent_state.change_state(db, agent, state, t + timedelta(minutes=minutes))
                db.add(AgentOffer(agent_id=agent.id, kind="queue", status="ended", created_at=t + timedelta(minutes=29),
                                  answered_at=t + timedelta(minutes=30), ended_at=t + timedelta(minutes=40)))
                db.add(AgentOffer(agent_id=agent.id, kind="queue", status="missed", created_at=t + timedelta(minutes=50)))
            db.commit()
            for minute, outcome, wait in ((5, "connected", 20), (20, "connected", 75), (35, "abandoned", 50),
                                          (70, "connected", 10), (130, "connected", 40)):
                add_call(db, london(2026, 11, day, 9, 0) + timedelta(minutes=minute), outcome=outcome, wait=wait,
                         handle=420)

    staff("sup@desk.example.org", "supervisor")
    browser_login(page, "sup@desk.example.org", path="/console/supervisor/")
    nav = page.get_by_role("navigation", name="Console")
    nav.get_by_role("link", name="Agent activity").click()
    expect(page.get_by_role("heading", name="Agent activity")).to_be_visible()
    page.get_by_label("From (date)").fill("2026-11-19")
    page.get_by_label("To (date)").fill("2026-11-20")
    page.get_by_role("button", name="Show").click()
    totals = page.get_by_role("table", name="Per agent, whole period")
    expect(totals.get_by_role("row", name="Al Agent")).to_contain_text("6.2%")  # (10 + 5) / (225 + 10 + 5) minutes a day
    expect(page.get_by_role("table", name="Per agent per day").locator("tbody tr")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download agent activity per day as CSV").click()
    assert download.value.suggested_filename.startswith("agent-activity-")
    history_shots(page, "history-agents")

    nav.get_by_role("link", name="Intervals").click()
    page.get_by_label("From (date)").fill("2026-11-19")
    page.get_by_label("To (date)").fill("2026-11-20")
    page.get_by_label("Per").select_option("30")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name="Calls per 30 minutes")
    expect(table.locator("tbody tr")).to_have_count(8)  # 09:00, 09:30, 10:00, 11:00 on each of two days
    expect(table.locator("tbody tr").first.locator("th, td")).to_have_text(
        ["Thu 19/11/2026", "09:00–09:30", "2", "2", "0", "50.0%", "47s", "7m 00s", "–", "7m 00s"])
    expect(table.locator("tbody tr").nth(1).locator("th, td")).to_have_text(  # both wrap-ups began 09:30-10:00
        ["Thu 19/11/2026", "09:30–10:00", "1", "0", "1", "–", "–", "–", "5m 00s", "–"])
    history_shots(page, "history-intervals")
    page.get_by_label("Per").select_option("hour")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Calls per hour of day (all days added)").locator("tbody tr")).to_have_count(24)
    assert page.js_errors == []


def history_shots(page, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"wallboard-{name}-{width}")
    overflow = page.evaluate("document.querySelector('main').scrollWidth - document.querySelector('main').clientWidth")
    assert overflow <= 0, f"the page's content scrolls sideways at 390 px ({overflow} px)"
    page.set_viewport_size({"width": 1280, "height": 900})
