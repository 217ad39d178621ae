"""Console sessions can be ended: logging out, an admin's change to the account and the
absolute lifetime all end a session, even one whose cookie was copied."""
from __future__ import annotations

import pytest

from models.staff import StaffUser
from tests.support.console import csrf_from, form_post, log_in

SUP = "sup@desk.example"
ADMIN = "ada@desk.example"
CSV = "/console/supervisor/calls.csv"
COOKIE = "session"


def copy_of(app, client):
    """Another browser holding CLIENT's session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def logged_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/console/login")


def test_a_cookie_copied_before_logout_no_longer_downloads_the_call_log(app, client, staff, clock):
    staff(SUP, "supervisor")
    log_in(client, SUP)
    thief = copy_of(app, client)
    assert thief.get(CSV).status_code == 200
    form_post(client, "/console/audit", "/console/logout", {})
    assert logged_out(thief.get(CSV))
    assert logged_out(client.get(CSV))


@pytest.mark.parametrize("changes", [
    [{"action": "password", "password": "a brand new long passphrase"}],
    [{"action": "role", "role": "agent", "agent_id": "AGENT"}, {"action": "role", "role": "supervisor"}],
    [{"action": "disable"}, {"action": "enable"}],
], ids=["password reset", "role changed and changed back", "disabled and enabled again"])
def test_an_admins_change_to_an_account_logs_out_its_old_sessions(app, client, staff, agent_row, clock, rows,
                                                                  changes):
    agent_id = agent_row("agent-s")
    staff(SUP, "supervisor")
    staff(ADMIN, "admin")
    [supervisor] = [u for u in rows(StaffUser) if u.email == SUP]
    log_in(client, ADMIN)
    theirs = log_in(app.test_client(), SUP)
    assert theirs.get(CSV).status_code == 200
    for change in changes:
        data = {k: (str(agent_id) if v == "AGENT" else v) for k, v in change.items()}
        done = form_post(client, "/console/admin/staff", f"/console/admin/staff/{supervisor.id}", data)
        assert done.status_code == 303
    assert logged_out(theirs.get(CSV))
    # logging in again (with the password as it now is) works
    log_in(theirs, SUP, changes[0].get("password", "correct horse battery staple"))
    assert theirs.get(CSV).status_code == 200


def test_the_staff_disable_command_logs_out_sessions(app, client, staff, clock):
    staff(SUP, "supervisor")
    log_in(client, SUP)
    assert app.test_cli_runner().invoke(args=["staff", "disable", SUP]).exit_code == 0
    assert logged_out(client.get(CSV))


def test_a_session_ends_after_ten_hours_even_while_in_use(client, staff, clock):
    staff(SUP, "supervisor")
    log_in(client, SUP)
    for _ in range(30):  # a request every 20 minutes: never idle, for ten hours
        clock.advance(minutes=20)
        assert client.get("/console/audit").status_code == 200
    clock.advance(minutes=20)
    assert logged_out(client.get("/console/audit"))
    assert "time limit" in client.get("/console/login").get_data(as_text=True)


def test_logging_in_gives_a_new_session_cookie(app, client, staff):
    staff(SUP, "supervisor")
    token = csrf_from(client.get("/console/login").get_data(as_text=True))
    before = client.get_cookie(COOKIE).value
    planted = copy_of(app, client)  # a cookie an attacker got into the victim's browser
    client.post("/console/login", data={"email": SUP, "password": "correct horse battery staple",
                                        "csrf_token": token})
    assert client.get_cookie(COOKIE).value != before
    assert logged_out(planted.get(CSV))
