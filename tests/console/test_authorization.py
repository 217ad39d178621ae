"""Every console route, for every role and for anonymous users.

The routes are read from the app's URL map, so pages added later (the supervisor's
too) are covered without editing this file; a console endpoint missing from ACCESS
fails the test until someone decides who may open it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.cases import REFERENCE
from tests.support.console import log_in
from tests.support.numbers import VICTIM

ROLES = ("agent", "supervisor", "admin", "forum")
PUBLIC = "public"
EVERYONE_LOGGED_IN = {"agent", "supervisor", "admin"}  # the desk's staff; forum organisers see the forum only
SUPERVISORS = {"supervisor", "admin"}

# endpoint (or "blueprint." prefix) -> who may use it
ACCESS: dict[str, set[str] | str] = {
    "console.static": PUBLIC,
    "console.index": PUBLIC,        # sends each user to their own start page
    "console.login": PUBLIC,
    "console.login_post": PUBLIC,
    "console.logout": PUBLIC,
    "console.audit_log": SUPERVISORS,
    "console.audit_log_csv": SUPERVISORS,
    "agent.home": {"agent"},
    "agent.current": {"agent"},
    "agent.set_state": {"agent"},
    "agent.call_now": {"agent"},
    "agent.callbacks": EVERYONE_LOGGED_IN,
    "agent.callback_detail": EVERYONE_LOGGED_IN,
    "agent.record_outcome": EVERYONE_LOGGED_IN,
    "agent.post_case_update": EVERYONE_LOGGED_IN,
    "agent.inbox_list": EVERYONE_LOGGED_IN,
    "agent.inbox_message": EVERYONE_LOGGED_IN,
    "agent.inbox_reply": EVERYONE_LOGGED_IN,
    "agent.inbox_callback": EVERYONE_LOGGED_IN,
    "agent.inbox_done": EVERYONE_LOGGED_IN,
    "supervisor.static": PUBLIC,
    # a wall screen: reached with its own code, not a staff login; without a live code
    # these show only the form to enter one (and the figures' JSON answers 401)
    "supervisor.wall": PUBLIC,
    "supervisor.wall_pair": PUBLIC,
    "supervisor.wall_forget": PUBLIC,
    "supervisor.wall_json": PUBLIC,
    "admin.": {"admin"},
    "supervisor.": SUPERVISORS,
    "forum.consents": {"forum"},        # victims' contacts: the forum's organisers only
    "forum.consents_csv": {"forum"},
    "forum.equality": {"forum", "supervisor", "admin"},  # aggregates of ten or more only
}


def allowed(endpoint: str) -> set[str] | str:
    if endpoint in ACCESS:
        return ACCESS[endpoint]
    for prefix, who in ACCESS.items():
        if prefix.endswith(".") and endpoint.startswith(prefix):
            return who
    raise AssertionError(f"console endpoint {endpoint!r} is not in the access table of {__file__}")


@pytest.fixture
def ids(app, staff, add_agent, book, case, clock):
    """A row of every kind a console URL can name, so each parameter has a real id."""
    from services.api_tokens import issue_token
    from models.calls import Call
    from models.db import session
    from models.inbox import InboxMessage
    from models.staff import HoursOverride

    agent_id = add_agent("agent-a", "+447911200001", state="offline")
    users = {role: staff(f"{role}@desk.example", role, agent_id=agent_id if role == "agent" else None)
             for role in ROLES}
    target = staff("target@desk.example", "supervisor")
    with app.app_context():
        db = session()
        call = Call(call_sid="CA" + "5" * 32, caller=VICTIM, verified_case_id=case)
        override = HoursOverride(day="2026-12-24", hours="08:00-14:00")
        message = InboxMessage(message_sid="SM" + "5" * 32, phone=VICTIM, body="a text", reason="free_text",
                               case_ids=[case])
        db.add_all([call, override, message])
        db.commit()
        issue_token("case-system", scopes=["cases:read"])
        from models.tokens import ApiToken

        token_id = db.exec(select(ApiToken)).one().id
        from services.wallboard_devices import issue as issue_wall_screen
        from models.wallboard import WallboardDevice

        issue_wall_screen("desk room wall", None)
        device_id = db.exec(select(WallboardDevice)).one().id
        values = {"call_id": call.id, "case_id": case, "callback_id": book(VICTIM), "staff_id": target.id,
                  "agent_id": agent_id, "override_id": override.id, "token_id": token_id,
                  "message_id": message.id, "device_id": device_id}
    return values, users


def static_file(endpoint: str, app) -> str | None:
    bp = app.blueprints[endpoint.split(".")[0]]
    folder = Path(bp.static_folder or "")
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return files[0].relative_to(folder).as_posix() if files else None


def console_requests(app, values):
    """(endpoint, method, url) for every console rule; logout last (it ends the session)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console"):
            continue
        params = {}
        for name in rule.arguments:
            if name == "filename":
                params[name] = static_file(rule.endpoint, app)
            else:
                assert name in values, f"{rule.rule}: no test row for <{name}>; add one to the ids fixture"
                params[name] = values[name]
        if None in params.values():
            continue  # a static folder with no files
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **params)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return sorted(found, key=lambda r: (r[0] == "console.logout", r[0], r[1]))


def send(client, method: str, url: str):
    with client.session_transaction() as sess:
        token = sess.get("csrf_token", "")
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/console/login")


def test_every_console_endpoint_is_classified(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/console")}
    assert {"console.login", "agent.home", "admin.staff"} <= endpoints
    for endpoint in endpoints:
        allowed(endpoint)


def test_anonymous_users_get_the_login_page_and_no_data(app, client, ids):
    values, _users = ids
    client.get("/console/login")  # an anonymous session with a CSRF token, so POSTs reach the guard
    checked = 0
    for endpoint, method, url in console_requests(app, values):
        response = send(client, method, url)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, (method, url, response.status_code)
        assert VICTIM not in body and REFERENCE not in body, (method, url)
        if allowed(endpoint) == PUBLIC:
            continue
        assert to_login(response) or response.status_code in (401, 403), (method, url, response.status_code)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(app, client, ids, role):
    values, _users = ids
    log_in(client, f"{role}@desk.example")
    seen = {"allowed": 0, "refused": 0}
    for endpoint, method, url in console_requests(app, values):
        response = send(client, method, url)
        who = allowed(endpoint)
        status = response.status_code
        assert status < 500, (role, method, url, status)
        if who == PUBLIC:
            continue
        if role in who:
            assert status != 403 and not to_login(response), (role, method, url, status)
            seen["allowed"] += 1
        else:
            assert status == 403, (role, method, url, status)
            body = response.get_data(as_text=True)
            assert VICTIM not in body and REFERENCE not in body
            seen["refused"] += 1
    assert seen["allowed"] and (seen["refused"] or role == "admin")
