"""The history pages: agent activity per day and calls per interval, each with its
CSV; supervisors and admins only; a bad filter is a 400 that says what to change."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from models.agents import Agent, AgentOffer
from services import agent_state
from tests.support.history import add_call, london


def seed(db):
    agent = Agent(name="Al Agent", client_identity="al", skills=["en"], state="offline")
    db.add(agent)
    db.commit()
    t = london(2026, 11, 20, 9, 0)
    for state, minutes in (("available", 0), ("busy", 30), ("wrap_up", 40), ("available", 45), ("offline", 120)):
        agent_state.change_state(db, agent, state, t + timedelta(minutes=minutes))
    db.add(AgentOffer(agent_id=agent.id, kind="queue", status="ended", created_at=t + timedelta(minutes=29),
                      answered_at=t + timedelta(minutes=30), ended_at=t + timedelta(minutes=40)))
    db.commit()
    add_call(db, t + timedelta(minutes=10), outcome="connected", wait=30, handle=600, agent_id=agent.id)
    add_call(db, t + timedelta(minutes=50), outcome="abandoned", wait=90)


def test_agent_activity_page_and_csv(supervisor, db):
    seed(db)
    page = supervisor.get("/console/supervisor/agents?from=2026-11-20&to=2026-11-20")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Agent activity" in html and "Al Agent" in html
    assert "1h 45m" in html  # available 09:00-09:30 and 09:45-11:00
    rows = list(csv.reader(io.StringIO(supervisor.get("/console/supervisor/agents.csv?from=2026-11-20&to=2026-11-20")
                                       .get_data(as_text=True))))
    assert rows[0][:4] == ["day", "agent", "available_seconds", "busy_seconds"]
    assert rows[1] == ["2026-11-20", "Al Agent", str(105 * 60), "600", "300", str(13 * 3600),
                       "0.125", "1", "600", "300", "900", "0"]


def test_interval_page_and_csv(supervisor, db):
    seed(db)
    page = supervisor.get("/console/supervisor/intervals?from=2026-11-20&to=2026-11-20&size=30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "09:00–09:30" in html and "09:30–10:00" in html
    rows = list(csv.reader(io.StringIO(supervisor.get(
        "/console/supervisor/intervals.csv?from=2026-11-20&to=2026-11-20&size=hour").get_data(as_text=True))))
    assert len(rows) == 25
    assert rows[10] == ["all days", "09:00–10:00", "2", "1", "1", "1", "1.0", "30", "600", "300", "900"]


def test_a_range_too_long_for_the_interval_says_so(supervisor):
    response = supervisor.get("/console/supervisor/intervals?from=2026-01-01&to=2026-11-20&size=15")
    assert response.status_code == 400
    assert "Per 15 minutes, choose at most 31 days." in response.get_data(as_text=True)
    assert supervisor.get("/console/supervisor/intervals?size=7").status_code == 400


def test_agents_cannot_see_the_history_pages(app, client, login, staff, agent_row):
    staff("al@desk.example", "agent", agent_id=agent_row("Al"))
    login(client, "al@desk.example")
    for path in ("/console/supervisor/agents", "/console/supervisor/intervals", "/console/supervisor/agents.csv",
                 "/console/supervisor/intervals.csv"):
        assert client.get(path).status_code == 403, path
