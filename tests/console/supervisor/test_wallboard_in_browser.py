"""The wallboard in a real browser: it refreshes by itself when a caller joins the
queue, with its script allowed by the console's CSP; the KPI charts render."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.console.browser_support import browser_login
from emulator.caller import Caller
from tests.support.staffing import someone_on_duty
from tests.support.history import add_call, london
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

pytestmark = pytest.mark.browser


def test_the_wallboard_updates_itself_when_a_caller_joins_the_queue(page, app, client, clock, staff):
    staff("sup@desk.example.org", "supervisor")
    browser_login(page, "sup@desk.example.org", path="/console/supervisor/")
    expect(page.get_by_role("heading", name="Wallboard")).to_be_visible()
    waiting = page.locator('[data-field="callers_waiting"]')
    expect(waiting).to_have_text("0")
    someone_on_duty(app)  # else the caller is offered a callback instead of the queue
    Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456", to=DESK_NUMBER,
           status_url="/ivr/status", clock=clock).dial().press("2")
    clock.advance(seconds=75)
    expect(waiting).to_have_text("1", timeout=12_000)  # no reload: the page polls every 5 s
    expect(page.locator('[data-field="longest_wait_seconds"]')).to_have_text("1m 15s")
    assert page.js_errors == []
