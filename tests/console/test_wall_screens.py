"""Wall screens: an admin makes a code (kept only as a hash) that lets a screen show the
wallboard without a staff login; it reads the figures and nothing else, is not ended by
the staff session lifetimes, and stops working when revoked."""
from __future__ import annotations

import re


from models.wallboard import WallboardDevice
from tests.support.console import csrf_from

WALL = "/console/supervisor/wall"


def make_code(client, login, staff, name="desk room wall") -> str:
    staff("ada@desk.example", "admin")
    login(client, "ada@desk.example")
    page = client.get("/console/admin/wall-screens").get_data(as_text=True)
    response = client.post("/console/admin/wall-screens", data={"name": name, "csrf_token": csrf_from(page)})
    assert response.status_code == 201
    return re.search(r'id="new-wall-code">([^<]+)<', response.get_data(as_text=True)).group(1)


def pair(app, code):
    screen = app.test_client()
    page = screen.get(WALL).get_data(as_text=True)
    response = screen.post(WALL, data={"code": code, "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    return screen


def test_a_wall_screen_shows_the_wallboard_without_a_login_and_stays_live(app, client, login, staff, clock, rows):
    code = make_code(client, login, staff)
    assert code.startswith("vfw_")
    [device] = rows(WallboardDevice)
    assert device.token_hash != code and code not in device.token_hash  # only the hash is kept
    screen = pair(app, code)
    assert "Callers waiting" in screen.get(WALL).get_data(as_text=True)
    assert screen.get(WALL + "/figures.json").status_code == 200
    clock.advance(hours=30)  # past the idle timeout and the longest staff session
    data = screen.get(WALL + "/figures.json")
    assert data.status_code == 200 and "callers_waiting" in data.get_json()


def test_a_wall_screen_reads_the_wallboard_and_nothing_else(app, client, login, staff):
    screen = pair(app, make_code(client, login, staff))
    for path in ("/console/supervisor/", "/console/supervisor/wallboard.json", "/console/supervisor/calls",
                 "/console/agent/callbacks", "/console/audit", "/api/v1/calls"):
        response = screen.get(path)
        assert response.status_code in (302, 401, 403, 404), path
        assert "callers_waiting" not in response.get_data(as_text=True), path


def test_a_revoked_wall_screen_stops_at_its_next_refresh(app, client, login, staff, rows):
    screen = pair(app, make_code(client, login, staff))
    [device] = rows(WallboardDevice)
    page = client.get("/console/admin/wall-screens").get_data(as_text=True)
    client.post(f"/console/admin/wall-screens/{device.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert screen.get(WALL + "/figures.json").status_code == 401
    response = screen.get(WALL)
    assert response.status_code == 401 and "withdrawn" in response.get_data(as_text=True)
    assert "Callers waiting" not in response.get_data(as_text=True)


def test_a_wrong_code_shows_no_wallboard(app):
    screen = app.test_client()
    page = screen.get(WALL).get_data(as_text=True)
    response = screen.post(WALL, data={"code": "vfw_guess", "csrf_token": csrf_from(page)})
    assert response.status_code == 401 and "not a live wall-screen code" in response.get_data(as_text=True)
    assert screen.get(WALL + "/figures.json").status_code == 401


def test_only_admins_make_wall_screen_codes(app, client, login, staff):
    staff("sue@desk.example", "supervisor")
    login(client, "sue@desk.example")
    assert client.get("/console/admin/wall-screens").status_code == 403


def test_the_wallboard_json_carries_no_callers_number(app, client, login, staff, clock):
    from tests.support.staffing import someone_on_duty
    from emulator.caller import Caller
    from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

    screen = pair(app, make_code(client, login, staff))
    someone_on_duty(app)
    Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123456", to=DESK_NUMBER,
           status_url="/ivr/status", clock=clock).dial().press("2")
    clock.advance(seconds=30)
    response = screen.get(WALL + "/figures.json")
    assert response.get_json()["callers_waiting"] == 1
    body = response.get_data(as_text=True)
    assert "7911123456" not in body and "123456" not in body
