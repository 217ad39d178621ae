"""The supervisors' and agents' pages as they read in Chromium: charts drawn by the
vendored Chart.js under the console's CSP, with titles, axes and units, the target
line, part periods and an empty state; worklists and dates in British form; no page
scrolling sideways on a 390 px phone.  Screenshots at 1440 and 390 px wide go to
/tmp/shots-pages (and tests/artifacts/)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.console.browser_support import browser_login, shoot
from tests.support.history import add_call, add_rating, london

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-pages")
SUPERVISOR = "sup@desk.example.org"


@pytest.fixture
def db(app):
    from models.db import session

    with app.app_context():
        yield session()


def both_widths(page, name: str) -> None:
    """Screenshots wide and narrow; at 390 px the page itself must not scroll sideways."""
    SHOTS.mkdir(exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)  # charts redraw on resize
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}-top.png"))  # the first screenful, to look at
        shoot(page, f"pages-{name}-{width}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def chart_facts(page, chart_id: str) -> dict:
    """What Chart.js drew for the chart in figure CHART_ID (null: nothing drawn)."""
    return page.evaluate("""id => {
        const canvas = document.querySelector('#' + id + ' canvas');
        const chart = canvas && window.Chart && Chart.getChart(canvas);
        if (!chart) return null;
        const x = chart.scales.x, y = chart.scales.y;
        return {xTitle: x.options.title.text, yTitle: y.options.title.text,
                xTicks: x.ticks.map(t => x.getLabelForValue(t.value)), xWidth: x.width,
                yTicks: y.ticks.map(t => t.label), datasets: chart.data.datasets.map(d => d.label),
                labels: chart.data.labels};
    }""", chart_id)


def test_kpi_charts_have_titles_axes_a_target_and_their_tables(page, app, clock, staff, db):
    # six weeks of calls up to today (Monday 23/11/2026, 10:00)
    for back in range(1, 43):
        day = clock().date() - timedelta(days=back)
        for wait in (10, 40, 90):
            add_call(db, london(day.year, day.month, day.day, 10, 0) + timedelta(minutes=wait),
                     outcome="connected", wait=wait, handle=300)
        add_call(db, london(day.year, day.month, day.day, 12, 0), outcome="abandoned", wait=30)
    staff(SUPERVISOR, "supervisor")
    browser_login(page, SUPERVISOR, path="/console/supervisor/kpis?from=2026-10-01&to=2026-11-23")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.locator("#from")).to_have_value("01/10/2026")
    volume = page.get_by_role("figure", name="Calls offered, answered and abandoned")
    expect(volume).to_be_visible()
    expect(volume.get_by_role("img")).to_have_accessible_name(
        'Calls offered, answered and abandoned. The figures are in the table "Calls per day: '
        'the figures in the charts above" below.')
    expect(page.get_by_role("table", name="Calls per day: the figures in the charts above")).to_contain_text("66.7%")

    facts = chart_facts(page, "chart-volume")
    assert facts is not None, "no chart drawn"
    assert (facts["xTitle"], facts["yTitle"]) == ("Day", "Number of calls")
    assert len(facts["xTicks"]) * 40 <= facts["xWidth"], "day labels would overlap"
    assert facts["labels"][-1] == ["23/11", "(part)"]  # today is not over
    assert len(facts["yTicks"]) >= 3
    service = chart_facts(page, "chart-service")
    assert service["yTitle"] == "Share of calls (%)" and service["yTicks"][-1] == "100%"
    assert "Target 80%" in service["datasets"]
    speed = chart_facts(page, "chart-speed")
    assert any(t.endswith("min") for t in speed["yTicks"]), speed["yTicks"]
    both_widths(page, "kpis-days")

    page.goto("/console/supervisor/kpis?from=2026-06-01&to=2026-11-23&period=week")
    weeks = chart_facts(page, "chart-volume")
    assert weeks["xTitle"] == "Week commencing (Monday)"
    assert len(weeks["xTicks"]) * 64 <= weeks["xWidth"], "week labels would overlap"
    assert weeks["labels"][-1] == ["w/c 23/11", "(part)"]
    both_widths(page, "kpis-weeks")
    assert page.js_errors == []


def test_a_period_without_calls_says_so(page, clock, staff):
    staff(SUPERVISOR, "supervisor")
    browser_login(page, SUPERVISOR, path="/console/supervisor/kpis?from=2026-01-05&to=2026-01-11")
    volume = page.get_by_role("figure", name="Calls offered, answered and abandoned")
    expect(volume).to_contain_text("No calls in this period.")
    expect(volume.locator("canvas")).to_have_count(0)
    expect(page.get_by_role("figure", name="Average speed of answer and average handle time"))\
        .to_contain_text("No answered calls in this period.")
    both_widths(page, "kpis-empty")
    assert page.js_errors == []


def test_ratings_charts_show_a_mean_out_of_five(page, clock, staff, db):
    for back in range(0, 40, 3):
        at = clock() - timedelta(days=back)
        add_rating(db, officer="1234", borough="Camden", rating=4 + back % 2, rated_at=at)
    staff(SUPERVISOR, "supervisor")
    browser_login(page, SUPERVISOR, path="/console/supervisor/ratings")
    expect(page.locator("#from")).to_have_value("01/09/2026")  # the default twelve weeks
    mean = chart_facts(page, "chart-mean-rating")
    assert mean["yTitle"] == "Mean rating (1 to 5)" and mean["yTicks"] == ["1", "2", "3", "4", "5"]
    counts = chart_facts(page, "chart-rating-count")
    assert counts["labels"][0] == ["w/c 31/08", "(part)"]  # the range starts on a Tuesday
    both_widths(page, "ratings")
    assert page.js_errors == []


AGENT_PHONE = "+447911200001"


@pytest.fixture
def agent(add_agent, staff):
    agent_id = add_agent("agent-a", AGENT_PHONE, state="offline", idle=10)
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    return agent_id


def test_the_callback_worklist_reads_well(page, agent, book, clock):
    from tests.support.numbers import VICTIM

    late = book(VICTIM, joined_minutes_ago=140, requested_minutes_ago=135)
    days = book("+447911300002", joined_minutes_ago=3 * 24 * 60 + 30, requested_minutes_ago=3 * 24 * 60 + 30)
    evening = book("+447911300003", joined_minutes_ago=100, requested_minutes_ago=100,
                   window_start="18:00", window_end="20:00")
    browser_login(page, "agent-a@desk.example")
    page.get_by_role("link", name="Callbacks").click()
    expect(page.locator(f'tr[data-callback="{late}"]')).to_contain_text("overdue by 2 h 15 min")
    expect(page.locator(f'tr[data-callback="{days}"]')).to_contain_text("overdue by 3 days")
    expect(page.locator(f'tr[data-callback="{days}"]')).to_contain_text("20/11 09:30")  # this year: no year
    both = page.locator(f'tr[data-callback="{evening}"]')
    expect(both).to_contain_text("overdue by 1 h 40 min")
    expect(both).to_contain_text("outside the victim's safe times")
    expect(page.get_by_role("link", name="Open callback for 07… 456")).to_be_visible()
    both_widths(page, "callbacks-worklist")
    assert page.js_errors == []


def test_after_an_automatic_logout_the_login_page_says_why(page, agent, clock):
    browser_login(page, "agent-a@desk.example")
    expect(page.get_by_role("heading", name="My calls")).to_be_visible()
    clock.advance(minutes=31)  # the screen pop's poll finds the session ended and the page reloads
    expect(page.get_by_role("heading", name="Log in to the desk console")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You were logged out after a period of inactivity.")
    both_widths(page, "login-after-idle")


def test_the_desk_hours_form_shows_the_week_and_asks_before_closing(page, staff, clock):
    staff("ada@desk.example", "admin")
    browser_login(page, "ada@desk.example", path="/console/admin/hours")
    expect(page.locator("#week-table")).to_contain_text("Mon 23/11/2026 (today)")
    expect(page.get_by_text("Normal hours (Europe/London): weekdays 08:00-20:00")).to_be_visible()
    expect(page.get_by_label("Hours (e.g. 08:00-14:00)")).to_have_value("08:00-20:00")
    expect(page.get_by_label("open these hours:")).to_be_checked()
    page.get_by_label("Date").fill("2026-12-24")
    page.get_by_label("closed all day").check()
    page.get_by_label("Reason callers hear").fill("Staff training")
    page.get_by_label("The reason in Polish").fill("szkolenie zespołu")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Close the desk all day on 24/12/2026?")).to_be_visible()
    expect(page.locator("#hours-table")).to_contain_text("No overrides.")
    both_widths(page, "hours-confirm")
    page.get_by_role("button", name="Yes, close the desk on 24/12/2026").click()
    expect(page.locator("#hours-table")).to_contain_text("24/12/2026")
    expect(page.locator("#hours-table")).to_contain_text("Staff training / szkolenie zespołu")
    expect(page.locator("#week-table")).to_contain_text("Mon 23/11/2026 (today)")
    both_widths(page, "hours")
    assert page.js_errors == []


def test_who_looked_at_this_victim(page, agent, staff, book, clock):
    from tests.support.numbers import VICTIM

    cb = book(VICTIM)
    browser_login(page, "agent-a@desk.example", path=f"/console/agent/callbacks/{cb}")
    page.get_by_role("button", name="Log out").click()
    staff("sue@desk.example", "supervisor")
    browser_login(page, "sue@desk.example", path="/console/audit")
    page.get_by_label("Victim's phone number").fill("07911 123456")
    page.get_by_role("button", name="Search").click()
    row = page.locator('#audit-table tr[data-action="view_callback"]')
    expect(row).to_contain_text("agent-a@desk.example")
    both_widths(page, "audit-by-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    assert "view_callback" in Path(download.value.path()).read_text()
    page.get_by_label("Victim's phone number").fill("")
    page.get_by_label("Staff email").fill("agent-a@desk.example")
    page.get_by_role("button", name="Search").click()
    actions = page.locator("#audit-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.action)")
    assert actions == ["logout", "view_callback", "login"]
    page.locator('#audit-table tr[data-action="view_callback"]').get_by_role("link", name=f"callback:{cb}").click()
    expect(page.locator("#callback-status")).to_be_visible()
    assert page.js_errors == []


def test_impossible_records_are_flagged_not_averaged_in(page, staff, clock, db):
    from tests.console.supervisor.test_inconsistent_records import impossible_calls

    impossible_calls(db)
    staff(SUPERVISOR, "supervisor")
    browser_login(page, SUPERVISOR, path="/console/supervisor/kpis?from=2026-11-16&to=2026-11-16")
    expect(page.locator("#inconsistent")).to_contain_text("2 call records are impossible")
    expect(page.get_by_role("table", name="Calls per day: the figures in the charts above")).to_contain_text("20s")
    both_widths(page, "kpis-inconsistent")
    page.locator("#inconsistent").get_by_role("link", name="call log").click()
    expect(page.locator("[data-inconsistent]")).to_have_count(2)
    expect(page.locator("[data-inconsistent]").first).to_contain_text("Impossible timeline")
    both_widths(page, "calls-inconsistent")
    assert page.js_errors == []
