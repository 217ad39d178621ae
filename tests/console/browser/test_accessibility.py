"""axe-core (vendored under vendor/, never served by the console) run in Chromium on
every console page, as each role sees it, with something on each page to look at:
no serious or critical violation on any of them, at desktop and phone widths."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.browser_support import browser_login, violations, violations_at_two_widths
from tests.support.history import add_call, add_rating, london
from tests.support.numbers import VICTIM

pytestmark = pytest.mark.browser

AGENT_PHONE = "+447911200001"


def check(page, path: str, problems: dict) -> None:
    page.goto(path)
    page.wait_for_load_state()
    violations_at_two_widths(page, path, problems)


@pytest.fixture
def history(app, clock):
    from models.db import session

    with app.app_context():
        db = session()
        for back in range(1, 15):
            day = clock().date() - timedelta(days=back)
            add_call(db, london(day.year, day.month, day.day, 10, 0), outcome="connected", wait=30, handle=200)
            add_call(db, london(day.year, day.month, day.day, 11, 0), outcome="abandoned", wait=90)
            add_rating(db, officer="MP001", borough="Camden", rating=4, rated_at=clock() - timedelta(days=back),
                       comment="Kind and clear." if back % 3 == 0 else None)
        call = add_call(db, london(2026, 11, 20, 9, 0), outcome="connected", wait=12, caller=VICTIM)
        return call.id


def test_no_serious_or_critical_violations_on_any_console_page(page, new_page, app, add_agent, staff, book,
                                                               history, case):
    agent_id = add_agent("agent-a", AGENT_PHONE, state="offline", idle=10)
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    staff("sue@desk.example", "supervisor")
    staff("ada@desk.example", "admin")
    callback = book(VICTIM, joined_minutes_ago=90, requested_minutes_ago=90)
    problems: dict[str, list[str]] = {}

    check(page, "/console/login", problems)
    # axe really runs here: a field with no label is found
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=unlabelled>')")
    assert any(" label:" in line for line in violations(page)), "axe-core did not run"
    browser_login(page, "agent-a@desk.example")
    for path in ("/console/agent/", "/console/agent/callbacks", f"/console/agent/callbacks/{callback}"):
        check(page, path, problems)

    supervisor = new_page()
    browser_login(supervisor, "sue@desk.example")
    for path in ("/console/supervisor/", "/console/supervisor/calls", f"/console/supervisor/calls/{history}",
                 "/console/supervisor/kpis", "/console/supervisor/kpis?period=week",
                 "/console/supervisor/kpis?from=2026-01-05&to=2026-01-11", "/console/supervisor/ratings",
                 "/console/supervisor/ratings?borough=Camden", "/console/supervisor/ratings/comments",
                 "/console/agent/callbacks", "/console/audit", "/console/audit?phone=nonsense"):
        check(supervisor, path, problems)

    admin = new_page()
    browser_login(admin, "ada@desk.example")
    for path in ("/console/admin/staff", "/console/admin/agents", "/console/admin/hours", "/console/admin/tokens"):
        check(admin, path, problems)
    assert problems == {}, "\n".join(f"{where}: {line}" for where, lines in problems.items() for line in lines)
