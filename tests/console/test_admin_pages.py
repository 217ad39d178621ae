"""Admins manage staff, desk agents, desk-hours overrides and API tokens; every
change is in the audit log."""
from __future__ import annotations

import re
from datetime import datetime

from flows import hours as desk_hours
from models.agents import Agent
from models.staff import AuditLog, StaffUser
from models.tokens import ApiToken
from emulator.caller import Caller
from tests.support.console import DEFAULT_PASSWORD, csrf_from, log_in
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

ADMIN = "ada@desk.example"


def text(response) -> str:
    return response.get_data(as_text=True)


def post(client, page, action, /, **data):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


def as_admin(client, staff):
    staff(ADMIN, "admin")
    return log_in(client, ADMIN)


def test_admin_creates_accounts_changes_roles_and_disables_them(app, client, staff, add_agent, rows):
    as_admin(client, staff)
    agent_id = add_agent("agent-a", "+447911200001", state="offline")
    short = post(client, "/console/admin/staff", "/console/admin/staff", email="agent-a@desk.example",
                 role="agent", agent_id=str(agent_id), password="short")
    assert "Not created: password: use at least 12 characters" in text(client.get(short.headers["Location"]))
    unlinked = post(client, "/console/admin/staff", "/console/admin/staff", email="agent-a@desk.example",
                    role="agent", password=DEFAULT_PASSWORD)
    assert "must be linked to a desk agent" in text(client.get(unlinked.headers["Location"]))
    post(client, "/console/admin/staff", "/console/admin/staff", email="Agent-A@Desk.Example",
         role="agent", agent_id=str(agent_id), password=DEFAULT_PASSWORD)
    agent_a = [u for u in rows(StaffUser) if u.email == "agent-a@desk.example"][0]
    assert agent_a.role == "agent" and agent_a.agent_id == agent_id and agent_a.password_hash.startswith("$argon2id$")

    other = log_in(app.test_client(), "agent-a@desk.example")
    assert other.get("/console/agent/").status_code == 200
    post(client, "/console/admin/staff", f"/console/admin/staff/{agent_a.id}", action="role", role="supervisor")
    assert other.get("/console/agent/").status_code == 302  # re-roled: logs in again
    assert [u.role for u in rows(StaffUser) if u.id == agent_a.id] == ["supervisor"]
    post(client, "/console/admin/staff", f"/console/admin/staff/{agent_a.id}", action="disable")
    assert [u.active for u in rows(StaffUser) if u.id == agent_a.id] == [False]
    actions = [(a.action, a.staff_email) for a in rows(AuditLog)]
    assert ("create_staff", ADMIN) in actions and ("staff_role", ADMIN) in actions \
        and ("staff_disable", ADMIN) in actions


def test_an_admin_cannot_lock_themselves_out(client, staff, rows):
    as_admin(client, staff)
    me = rows(StaffUser)[0]
    response = post(client, "/console/admin/staff", f"/console/admin/staff/{me.id}", action="disable")
    assert "cannot change your own account" in text(client.get(response.headers["Location"]))
    assert rows(StaffUser)[0].active


def test_agents_skills_and_how_they_are_reached(client, staff, rows):
    as_admin(client, staff)
    post(client, "/console/admin/agents", "/console/admin/agents", name="Bea", phone="07911 200003",
         skills=["pl", "vawg"])
    [bea] = rows(Agent)
    assert (bea.phone, bea.client_identity, bea.skills, bea.state) == ("+447911200003", None, ["vawg", "pl"], "offline")
    both = post(client, "/console/admin/agents", f"/console/admin/agents/{bea.id}", phone="+447911200003",
                client_identity="bea-desk")
    assert "give exactly one of" in text(client.get(both.headers["Location"]))
    post(client, "/console/admin/agents", f"/console/admin/agents/{bea.id}", client_identity="bea-desk",
         skills=["en"])
    [bea] = rows(Agent)
    assert (bea.phone, bea.client_identity, bea.skills) == (None, "bea-desk", ["en"])
    bad = post(client, "/console/admin/agents", "/console/admin/agents", name="Cy", phone="12")
    assert "Not added" in text(client.get(bad.headers["Location"]))


def test_an_hours_override_closes_the_phone_line_on_that_day(app, client, staff, clock):
    as_admin(client, staff)
    wrong = post(client, "/console/admin/hours", "/console/admin/hours", day="2026-11-23", kind="hours",
                 hours="14:00-09:00")
    assert "opens after it closes" in text(client.get(wrong.headers["Location"]))
    asked = post(client, "/console/admin/hours", "/console/admin/hours", day="2026-11-23", kind="closed",
                 reason="Training day")
    assert "Close the desk all day on 23/11/2026?" in text(asked)  # nothing closed until confirmed
    assert "Its usual hours that day are 08:00-20:00" in text(asked)
    with app.test_request_context():
        from services.hours import hours_overrides

        assert datetime(2026, 11, 23).date() not in hours_overrides()
    post(client, "/console/admin/hours", "/console/admin/hours", day="2026-11-23", kind="closed",
         reason="Training day", confirmed="yes")
    with app.test_request_context():
        from services.hours import hours_overrides

        assert hours_overrides()[datetime(2026, 11, 23).date()] is None
        assert not desk_hours.is_open(clock(), hours_overrides())
    # A victim phoning on that Monday morning hears the desk is closed.
    caller = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456",
                    to=DESK_NUMBER, clock=clock).dial()
    assert "closed" in caller.heard().lower()
    page = text(client.get("/console/admin/hours"))
    assert "23/11/2026" in page and "Training day" in page
    assert "weekdays 08:00-20:00" in page  # the normal hours
    assert "Mon 23/11/2026 (today)</th><td>closed" in page


def test_a_closure_reason_in_polish_reaches_polish_callers(app, client, staff, clock):
    as_admin(client, staff)
    refused = post(client, "/console/admin/hours", "/console/admin/hours", day="23/11/2026", kind="closed",
                   reason_pl="Szkolenie")
    assert "give the reason in English too" in text(client.get(refused.headers["Location"]))
    asked = post(client, "/console/admin/hours", "/console/admin/hours", day="23/11/2026", kind="closed",
                 reason="Training day", reason_pl="szkolenie zespołu")
    form = asked.get_data(as_text=True)
    assert 'name="reason_pl" value="szkolenie zespołu"' in form, "the confirm step keeps the Polish"
    post(client, "/console/admin/hours", "/console/admin/hours", day="2026-11-23", kind="closed",
         reason="Training day", reason_pl="szkolenie zespołu", confirmed="yes")
    assert 'Training day / <span lang="pl">szkolenie zespołu</span>' in text(client.get("/console/admin/hours"))
    english = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456",
                     to=DESK_NUMBER, clock=clock).dial()
    assert "The desk is closed today for Training day." in english.heard()
    english.hang_up()
    polish = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123457",
                    to=DESK_NUMBER, clock=clock).dial()
    assert "Training day" in polish.heard()
    polish.press("8")
    assert "Biuro jest dziś zamknięte z powodu: szkolenie zespołu." in polish.heard()


def test_api_tokens_are_shown_once_work_and_can_be_revoked(client, staff, rows):
    as_admin(client, staff)
    created = post(client, "/console/admin/tokens", "/console/admin/tokens", name="case-system",
                   scope="cases:read")
    assert created.status_code == 201
    token = created.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    assert token.startswith("vfd_")
    assert token not in text(client.get("/console/admin/tokens"))  # never again
    api = client.application.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/cases/1", headers=auth).status_code == 404  # authenticated: no such case
    [row] = rows(ApiToken)
    post(client, "/console/admin/tokens", f"/console/admin/tokens/{row.id}/revoke")
    assert api.get("/api/v1/cases/1", headers=auth).status_code == 401
    assert {"create_api_token", "revoke_api_token"} <= {a.action for a in rows(AuditLog)}
    duplicate = post(client, "/console/admin/tokens", "/console/admin/tokens", name="")
    assert "Give the token a name" in text(client.get(duplicate.headers["Location"]))


def test_admins_choose_a_new_tokens_scopes_and_expiry(client, staff, rows):
    as_admin(client, staff)
    none = post(client, "/console/admin/tokens", "/console/admin/tokens", name="reports")
    assert "Choose at least one scope" in text(client.get(none.headers["Location"]))
    page = client.get("/console/admin/tokens")
    token = csrf_from(text(page))
    created = client.post("/console/admin/tokens", data={
        "csrf_token": token, "name": "reports", "scope": ["surveys:read", "ratings:read"],
        "expires": "2027-06-30"})
    assert created.status_code == 201
    secret = created.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    [row] = rows(ApiToken)
    assert row.scopes == "ratings:read surveys:read"
    assert row.expires_at is not None
    listing = text(client.get("/console/admin/tokens"))
    assert "ratings:read surveys:read" in listing and "30/06/2027" in listing
    api = client.application.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/ratings/summary", headers=auth).status_code == 200
    assert api.get("/api/v1/calls", headers=auth).status_code == 403
    bad = post(client, "/console/admin/tokens", "/console/admin/tokens", name="x", scope="calls:read",
               expires="soon")
    assert "Not created" in text(client.get(bad.headers["Location"]))


def test_an_admin_sets_and_stops_the_phone_lines_announcement(app, client, staff, clock):
    as_admin(client, staff)
    past = post(client, "/console/admin/hours", "/console/admin/hours/announcement", text_en="Old news.",
                until="2020-01-01T00:00")
    assert "in the past" in text(client.get(past.headers["Location"]))
    post(client, "/console/admin/hours", "/console/admin/hours/announcement",
         text_en="Lines are busy after the storm.", text_pl="", until="23/11/2026 18:00")  # as the page writes dates
    page = client.get("/console/admin/hours")
    assert "Lines are busy after the storm." in text(page) and "until 23/11/2026 18:00" in text(page)
    assert re.search(r"<title>Desk hours[^<]*</title>", page.get_data(as_text=True)), "no form in the title"
    caller = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456",
                    to=DESK_NUMBER, clock=clock).dial()
    assert "Lines are busy after the storm." in caller.heard()
    post(client, "/console/admin/hours", "/console/admin/hours/announcement/clear")
    assert "No announcement." in text(client.get("/console/admin/hours"))
    caller = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456",
                    to=DESK_NUMBER, clock=clock).dial()
    assert "after the storm" not in caller.heard()
