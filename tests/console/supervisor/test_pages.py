"""The supervisors' pages as a supervisor sees them: who may open them, the figures
and filters on them, the CSV exports, and the audit trail they leave."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from desk import settings
from sqlmodel import select

from models.agents import Agent
from models.staff import AuditLog
from tests.support.history import add_call, add_rating, london

PAGES = ["/console/supervisor/", "/console/supervisor/wallboard.json", "/console/supervisor/calls",
         "/console/supervisor/calls.csv", "/console/supervisor/kpis", "/console/supervisor/ratings",
         "/console/supervisor/ratings/comments", "/console/supervisor/ratings.csv"]


def audit_rows(app):
    from models.db import session

    with app.app_context():
        return [(r.staff_email, r.action, r.subject) for r in session().exec(select(AuditLog).order_by(AuditLog.id))]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, clock, path):
    response = client.get(path)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_agents_are_refused(app, client, clock, staff, login, agent_row, path):
    staff("agent@desk.example.org", "agent", agent_id=agent_row("Desk agent 9"))
    login(client, "agent@desk.example.org")
    assert client.get(path).status_code == 403


def test_admins_see_the_pages_too(app, client, clock, staff, login):
    staff("admin@desk.example.org", "admin")
    login(client, "admin@desk.example.org")
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_wallboard_page_and_its_feed(app, supervisor, clock, db):
    db.add(Agent(name="Desk agent 1", client_identity="a1", skills=["en"], state="available"))
    call = add_call(db, clock() - timedelta(minutes=3), outcome=None)
    call.ended_at, call.waiting_since = None, clock() - timedelta(seconds=125)
    db.add(call)
    db.commit()
    page = supervisor.get("/console/supervisor/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'data-field="callers_waiting">1<', html)
    assert "2m 05s" in html
    assert '<script src="/console/supervisor/static/wallboard.js"' in html
    assert "<script>" not in html and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert supervisor.get("/console/supervisor/static/wallboard.js").status_code == 200
    feed = supervisor.get("/console/supervisor/wallboard.json").json
    assert feed["callers_waiting"] == 1 and feed["longest_wait_seconds"] == 125
    assert feed["agents"]["available"] == 1


def test_call_log_lists_filters_and_pages(app, supervisor, clock, db):
    for i in range(60):
        add_call(db, london(2026, 11, 20, 9, 0) + timedelta(minutes=i), outcome="connected", wait=i)
    add_call(db, london(2026, 11, 20, 8, 0), outcome="abandoned", wait=500, caller="+447911123999")
    page = supervisor.get("/console/supervisor/calls")
    html = page.get_data(as_text=True)
    assert html.count('href="/console/supervisor/calls/') == 50
    assert "…456" in html and "+447911123456" not in html  # the list masks callers' numbers
    older = re.search(r'href="(/console/supervisor/calls\?cursor=[^"]+)" rel="next"', html).group(1)
    rest = supervisor.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert rest.count('href="/console/supervisor/calls/') == 11 and 'rel="next"' not in rest
    only = supervisor.get("/console/supervisor/calls?outcome=abandoned&from=2026-11-20&to=2026-11-20&min_wait=60")
    text = only.get_data(as_text=True)
    assert only.status_code == 200 and text.count('href="/console/supervisor/calls/') == 1
    assert "abandoned" in text and "…999" in text
    assert '<option value="abandoned" selected>' in text


@pytest.mark.parametrize("query, message", [
    ("from=yesterday", "From must be a date like 23/11/2026."),
    ("from=2026-11-24&to=2026-11-20", "From must be on or before To."),
    ("outcome=happy", "Outcome must be one of"),
    ("min_wait=-5", "Minimum wait must be between 0 and 86400."),
    ("min_wait=ten", "Minimum wait must be a whole number."),
    ("agent=999", "Agent is not one of the desk&#39;s agents."),
    ("language=fr", "Language must be one of: en, pl."),
    ("cursor=bogus", "That page link is not valid"),
])
def test_bad_call_log_filters_get_a_clear_400(supervisor, clock, query, message):
    response = supervisor.get(f"/console/supervisor/calls?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_call_detail_shows_the_timeline_and_is_audited(app, supervisor, clock, db):
    call = add_call(db, london(2026, 11, 20, 9, 0), outcome="connected", wait=42)
    page = supervisor.get(f"/console/supervisor/calls/{call.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "+447911123456" in html
    assert html.index("Joined the desk queue") < html.index("Connected to an agent") < html.index("Call ended")
    assert "20/11/2026 at 09:00" in html
    assert ("sup@desk.example.org", "view_call", f"call:{call.id}") in audit_rows(app)
    assert supervisor.get("/console/supervisor/calls/424242").status_code == 404


def test_call_log_csv_export(app, supervisor, clock, db):
    add_call(db, london(2026, 11, 20, 9, 0), outcome="connected", wait=42, language="pl")
    add_call(db, london(2026, 11, 21, 9, 0), outcome="abandoned", wait=10, caller=None)
    add_call(db, london(2026, 11, 22, 9, 0), outcome="connected", wait=5, language="en")
    response = supervisor.get("/console/supervisor/calls.csv?outcome=connected&language=pl")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["started (Europe/London)", "call_sid", "caller", "language", "outcome"]
    assert len(rows) == 2
    assert rows[1][0] == "2026-11-20 09:00:00" and rows[1][2] == "07911 123456" and rows[1][6] == "42"
    assert ("sup@desk.example.org", "export_calls", "calls:export?outcome=connected&language=pl") in audit_rows(app)
    everything = list(csv.reader(io.StringIO(supervisor.get("/console/supervisor/calls.csv").get_data(as_text=True))))
    assert [r[4] for r in everything[1:]] == ["connected", "abandoned", "connected"]
    assert everything[2][2] == "withheld"
    assert supervisor.get("/console/supervisor/calls.csv?from=nope").status_code == 400


def test_kpis_page_shows_the_figures_and_their_tables(supervisor, clock, db):
    for wait in (10, 20, 90):
        add_call(db, london(2026, 11, 16, 10, 0), outcome="connected", wait=wait)
    add_call(db, london(2026, 11, 16, 11, 0), outcome="abandoned", wait=30)
    add_call(db, london(2026, 11, 16, 11, 30), outcome="callback_requested", wait=30)
    page = supervisor.get("/console/supervisor/kpis?from=2026-11-16&to=2026-11-17")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = re.search(r"<th scope=\"row\">Mon 16/11/2026</th>(.*?)</tr>", html, re.DOTALL).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # offered, answered, abandoned, chose callback, SL, SL incl. abandoned, abandonment, ASA
    assert cells[:8] == ["5", "3", "1", "1", "66.7%", "50.0%", "25.0%", "40s"]
    assert html.count('class="chart-box"') == 4 and html.count('type="application/json"') == 3
    weekly = supervisor.get("/console/supervisor/kpis?from=2026-11-18&to=2026-11-18&period=week")
    assert "Week commencing" in weekly.get_data(as_text=True) and "Mon 16/11/2026" in weekly.get_data(as_text=True)
    bad = supervisor.get("/console/supervisor/kpis?period=month")
    assert bad.status_code == 400 and "Period must be one of: day, week." in bad.get_data(as_text=True)


def test_ratings_page_comments_and_export(app, supervisor, clock, db, monkeypatch):
    settings.override(app.config, RATINGS_EXCEPTIONAL_MIN_COUNT="3")
    for i in range(3):
        add_rating(db, officer="MP001", borough="Camden", rating=5, rated_at=london(2026, 11, 16, 9, i),
                   comment="=HYPERLINK(\"x\")" if i == 0 else None)
    add_rating(db, officer="MP002", borough="Hackney", rating=2, rated_at=london(2026, 11, 17, 9, 0),
               comment="Nobody called me back.")
    page = supervisor.get("/console/supervisor/ratings?from=2026-11-09&to=2026-11-22")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "4 ratings, mean 4.25 out of 5" in html
    recognised = re.search(r'id="exceptional-table">(.*?)</table>', html, re.DOTALL).group(1)
    assert "PC MP001" in recognised and "MP002" not in recognised
    assert "Nobody called me back." not in html  # comments only on their own (audited) page
    camden = supervisor.get("/console/supervisor/ratings?from=2026-11-09&to=2026-11-22&borough=Camden")
    officers = re.search(r'id="officer-table">(.*?)</table>', camden.get_data(as_text=True), re.DOTALL).group(1)
    assert "PC MP001 (MP001)" in officers and "MP002" not in officers
    comments = supervisor.get("/console/supervisor/ratings/comments?from=2026-11-09&to=2026-11-22")
    text = comments.get_data(as_text=True)
    assert text.index("Nobody called me back.") < text.index("HYPERLINK")  # newest first
    export = supervisor.get("/console/supervisor/ratings.csv?from=2026-11-09&to=2026-11-22&borough=Camden")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert len(rows) == 4 and {r[5] for r in rows[1:]} == {"PC MP001"}
    assert "'=HYPERLINK(\"x\")" in [r[3] for r in rows]  # a spreadsheet will not run it
    assert not any("+447" in cell for r in rows for cell in r)  # no victim's number
    actions = [a for _, a, _ in audit_rows(app)]
    assert actions.count("view_comments") == 1 and actions.count("export_ratings") == 1
    bad = supervisor.get("/console/supervisor/ratings?borough=Atlantis")
    assert bad.status_code == 400 and "Borough must be one of" in bad.get_data(as_text=True)
