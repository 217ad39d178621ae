"""The audit log: who looked at which victim's data and when; supervisors read it,
nobody edits it."""
from __future__ import annotations

import pytest
from sqlmodel import select

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
        row = db.exec(select(AuditLog)).one()
        row.why = "rewritten"
        db.add(row)
        with pytest.raises(PermissionError):
            db.commit()
        db.rollback()
        with pytest.raises(PermissionError):
            db.delete(db.exec(select(AuditLog)).one())
            db.commit()


def test_logins_failures_lockouts_and_logouts_are_recorded(app, client, staff, rows):
    from desk import settings

    settings.override(app.config, CONSOLE_LOGIN_MAX_FAILURES="2")
    staff("sue@desk.example", "supervisor")
    log_in(client, "sue@desk.example")
    token = csrf_from(client.get("/console/audit").get_data(as_text=True))
    client.post("/console/logout", data={"csrf_token": token})
    other = app.test_client()
    for _ in range(2):
        form = other.get("/console/login").get_data(as_text=True)
        other.post("/console/login", data={"email": "sue@desk.example", "password": "wrong guess",
                                           "csrf_token": csrf_from(form)})
    actions = [(a.action, a.staff_email) for a in rows(AuditLog)]
    assert ("login", "sue@desk.example") in actions and ("logout", "sue@desk.example") in actions
    assert ("view_audit_log", "sue@desk.example") in actions  # reading the log is recorded too
    assert [a for a, _ in actions].count("login_failed") == 2 and ("lockout", "sue@desk.example") in actions


def test_an_automatic_logout_is_recorded_and_the_login_page_says_why(app, client, staff, clock, rows):
    staff("sue@desk.example", "supervisor")
    log_in(client, "sue@desk.example")
    clock.advance(minutes=31)
    page = client.get("/console/audit", follow_redirects=True).get_data(as_text=True)
    assert "You were logged out after a period of inactivity." in page
    [entry] = [a for a in rows(AuditLog) if a.action == "logout_automatic"]
    assert entry.staff_email == "sue@desk.example" and entry.why == "inactivity"


def test_search_by_phone_finds_views_under_the_current_and_the_previous_pseudonym_key(
        app, client, staff, add_agent, book, rows, monkeypatch):
    from desk import redact

    agent_id = add_agent("agent-a", "+447911200001", state="offline")
    staff("agent-a@desk.example", "agent", agent_id=agent_id)
    staff("sue@desk.example", "supervisor")
    agent_a = log_in(app.test_client(), "agent-a@desk.example")
    monkeypatch.setattr(redact, "_key", b"an-old-key-" * 4)
    monkeypatch.setattr(redact, "_previous_keys", ())
    old_cb = book(VICTIM)
    agent_a.get(f"/console/agent/callbacks/{old_cb}")
    # the key is rotated: LOG_HASH_KEY is new, LOG_HASH_KEY_PREVIOUS the old one
    monkeypatch.setattr(redact, "_key", b"the-new-key-" * 4)
    monkeypatch.setattr(redact, "_previous_keys", (b"an-old-key-" * 4,))
    new_cb = book(VICTIM)
    agent_a.get(f"/console/agent/callbacks/{new_cb}")
    other = book("+447911300009")
    agent_a.get(f"/console/agent/callbacks/{other}")
    stored = {a.subject: a.phone_pseudonym for a in rows(AuditLog) if a.action == "view_callback"}
    assert stored[f"callback:{old_cb}"] != stored[f"callback:{new_cb}"] and VICTIM not in str(stored)

    # the callbacks themselves are gone (retention); the pseudonyms still answer
    with app.app_context():
        from sqlmodel import delete

        from models.callbacks import CallbackRequest

        db = session()
        db.exec(delete(CallbackRequest))
        db.commit()
    log_in(client, "sue@desk.example")
    page = client.get("/console/audit?phone=07911+123456").get_data(as_text=True)
    assert f"callback:{old_cb}" in page and f"callback:{new_cb}" in page and f"callback:{other}" not in page
    monkeypatch.setattr(redact, "_previous_keys", ())  # after AUDIT_RETENTION_DAYS the old key is dropped
    page = client.get("/console/audit?phone=07911+123456").get_data(as_text=True)
    assert f"callback:{old_cb}" not in page and f"callback:{new_cb}" in page
    bad = client.get("/console/audit?phone=12")
    assert bad.status_code == 400 and "Phone number must be a UK number" in bad.get_data(as_text=True)
    [search] = [a for a in rows(AuditLog) if a.action == "view_audit_log" and a.phone_pseudonym][-1:]
    assert search.why == "a phone number"  # the number searched for is not written down


def test_search_by_case_date_and_csv(app, client, staff, case, clock, rows):
    from tests.support.cases import REFERENCE

    staff("sue@desk.example", "supervisor")
    log_in(client, "sue@desk.example")
    with app.app_context():
        db = session()
        db.add(AuditLog(staff_email="agent-a@desk.example", action="view_screen_pop", subject="call:77",
                        case_id=case, at=clock() - __import__("datetime").timedelta(days=40)))
        db.add(AuditLog(staff_email="agent-b@desk.example", action="view_call", subject="call:78"))
        db.commit()
    page = client.get(f"/console/audit?case={REFERENCE}").get_data(as_text=True)
    assert "call:77" in page and "call:78" not in page
    page = client.get(f"/console/audit?case={REFERENCE}&from=2026-11-01").get_data(as_text=True)
    assert "call:77" not in page
    csv = client.get("/console/audit.csv?staff=agent-b@desk.example")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("when (Europe/London),who,action") and len(lines) == 2 and "call:78" in lines[1]
    assert [a.action for a in rows(AuditLog)][-1] == "export_audit_log"


def test_a_screen_pop_seen_again_within_a_minute_is_one_view(app, client, staff, clock, rows):
    from datetime import timedelta

    from services.audit_log import record

    with app.app_context():
        for _ in range(3):
            record("agent-a@desk.example", "view_screen_pop", "call:5", once_within=timedelta(minutes=1))
        clock.advance(seconds=61)
        record("agent-a@desk.example", "view_screen_pop", "call:5", once_within=timedelta(minutes=1))
        record("agent-a@desk.example", "view_screen_pop", "call:6", once_within=timedelta(minutes=1))
    assert [a.subject for a in rows(AuditLog)] == ["call:5", "call:5", "call:6"]
