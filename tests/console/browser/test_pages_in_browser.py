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
    expect(page.locator("#from")).to_have_value("2026-10-01")
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
    expect(page.locator("#from")).to_have_value("2026-09-01")  # the default twelve weeks
    mean = chart_facts(page, "chart-mean-rating")
    assert mean["yTitle"] == "Mean rating (1 to 5)" and mean["yTicks"] == ["1", "2", "3", "4", "5"]
    counts = chart_facts(page, "chart-rating-count")
    assert counts["labels"][0] == ["w/c 31/08", "(part)"]  # the range starts on a Tuesday
    both_widths(page, "ratings")
    assert page.js_errors == []
