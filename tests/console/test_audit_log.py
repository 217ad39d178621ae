"""The audit log: who looked at which victim's data and when; supervisors read it,
nobody edits it."""
from __future__ import annotations

import pytest

from models.db import session
from models.staff import AuditLog
from tests.support.console import csrf_from, log_in
from tests.support.numbers import VICTIM


def test_views_are_logged_and_supervisors_can_read_and_filter_them(app, client, staff, add_agent, book, rows):
    agent_id = add_agent("agent-a", "+447911200001", state="offline")
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    staff("sue@desk.example", "supervisor")
    cb = book(VICTIM)
    agent_a = log_in(app.test_client(), "agent-a@desk.example")
    assert agent_a.get(f"/console/agent/callbacks/{cb}").status_code == 200
    assert agent_a.get("/console/audit").status_code == 403  # agents cannot read it

    log_in(client, "sue@desk.example")
    page = client.get(f"/console/audit?subject=callback:{cb}").get_data(as_text=True)
    assert "agent-a@desk.example" in page and "view_callback" in page and f"callback:{cb}" in page
    assert "1 entry" in page
    [entry] = [a for a in rows(AuditLog) if a.action == "view_callback"]
    assert entry.staff_email == "agent-a@desk.example" and entry.at is not None


def test_there_is_no_way_to_change_the_log_from_the_console(app, client, staff, rows):
    staff("ada@desk.example", "admin")
    log_in(client, "ada@desk.example")
    client.get("/console/audit")
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)
    token = csrf_from(client.get("/console/audit").get_data(as_text=True))
    assert client.post("/console/audit", data={"csrf_token": token}).status_code == 405


def test_rows_cannot_be_updated_or_deleted(app, staff):
    with app.app_context():
        db = session()
        db.add(AuditLog(staff_email="x@desk.example", action="view_call", subject="call:1"))
        db.commit()
        row = db.query(AuditLog).one()
        row.why = "rewritten"
        db.add(row)
        with pytest.raises(PermissionError):
            db.commit()
        db.rollback()
        with pytest.raises(PermissionError):
            db.delete(db.query(AuditLog).one())
            db.commit()
