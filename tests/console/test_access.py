"""Logging in to the console: one answer for every failure, throttling, a new
session on login, the idle timeout, CSRF on every form and the security headers."""
from __future__ import annotations

from sqlmodel import select

from models.db import session
from models.staff import StaffUser
from tests.support.console import DEFAULT_PASSWORD, csrf_from, form_post, log_in

EMAIL = "sam@desk.example"


def attempt(client, email, password, **extra):
    token = csrf_from(client.get("/console/login").get_data(as_text=True))
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": token,
                                               **extra})


def account(app, email=EMAIL) -> StaffUser:
    with app.app_context():
        return session().exec(select(StaffUser).where(StaffUser.email == email)).one()


def test_anonymous_users_are_sent_to_the_login_page_and_come_back_after(client, staff):
    staff(EMAIL, "supervisor")
    response = client.get("/console/audit?staff=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login?next=/console/audit?staff%3Dx"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/console/audit?staff=x"' in page
    done = attempt(client, EMAIL, DEFAULT_PASSWORD, next="/console/audit?staff=x")
    assert done.status_code == 302 and done.headers["Location"] == "/console/audit?staff=x"
    assert client.get("/console/audit").status_code == 200


def test_next_cannot_send_anyone_off_the_console(client, staff):
    staff(EMAIL, "supervisor")
    for target in ("https://evil.example/", "//evil.example/console", "/ivr/voice", "/console\\@evil"):
        done = attempt(client, EMAIL, DEFAULT_PASSWORD, next=target)
        assert done.status_code == 302
        assert "evil" not in done.headers["Location"] and not done.headers["Location"].startswith("/ivr")
        client.post("/console/logout", data={"csrf_token": csrf_from(client.get("/console/audit").get_data(
            as_text=True))})


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client, staff):
    staff(EMAIL, "supervisor")
    wrong = attempt(client, EMAIL, "not the password at all")
    unknown = attempt(client, "nobody@desk.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: r.get_data(as_text=True).replace("nobody@desk.example", EMAIL)  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "do not match an active account" in strip(wrong)
    assert account(app).failed_logins == 1


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(app, client, staff, clock):
    staff(EMAIL, "supervisor")
    for _ in range(4):
        assert attempt(client, EMAIL, "wrong password here").status_code == 401
    assert attempt(client, EMAIL, "wrong password here").status_code == 429
    assert account(app).locked_until is not None
    # locked: even the right password is refused, and the person is told how long to wait
    locked = attempt(client, EMAIL, DEFAULT_PASSWORD)
    assert locked.status_code == 429 and "Try again in 15 minutes" in locked.get_data(as_text=True)
    clock.advance(minutes=16)
    assert attempt(client, EMAIL, DEFAULT_PASSWORD).status_code == 302
    assert account(app).failed_logins == 0 and account(app).locked_until is None


def test_one_address_is_limited_across_accounts(app, client, staff):
    app.config["CONSOLE_LOGIN_IP_LIMIT"] = 3
    staff(EMAIL, "supervisor")
    for n in range(3):
        assert attempt(client, f"guess{n}@desk.example", "some password guess").status_code == 401
    limited = attempt(client, EMAIL, DEFAULT_PASSWORD)
    assert limited.status_code == 429
    assert "Too many attempts. Try again in 15 minutes." in limited.get_data(as_text=True)
    # another address is not affected
    other = app.test_client()
    token = csrf_from(other.get("/console/login").get_data(as_text=True))
    ok = other.post("/console/login", data={"email": EMAIL, "password": DEFAULT_PASSWORD, "csrf_token": token},
                    environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert ok.status_code == 302


def test_disabled_accounts_cannot_log_in_and_are_logged_out(app, client, staff):
    staff(EMAIL, "supervisor")
    log_in(client, EMAIL)
    assert client.get("/console/audit").status_code == 200
    result = app.test_cli_runner().invoke(args=["staff", "disable", EMAIL])
    assert result.exit_code == 0, result.output
    assert client.get("/console/audit").status_code == 302  # next request: logged out
    assert attempt(client, EMAIL, DEFAULT_PASSWORD).status_code == 401


def test_login_starts_a_new_session(client, staff):
    staff(EMAIL, "supervisor")
    before = csrf_from(client.get("/console/login").get_data(as_text=True))
    client.post("/console/login", data={"email": EMAIL, "password": DEFAULT_PASSWORD, "csrf_token": before})
    after = csrf_from(client.get("/console/audit").get_data(as_text=True))
    assert after != before  # nothing from the anonymous session (fixation) survives
    # the old token no longer works for a form
    stale = client.post("/console/logout", data={"csrf_token": before})
    assert stale.status_code == 400


def test_idle_for_thirty_minutes_logs_out_and_polling_does_not_keep_it_alive(client, staff, agent_row, clock):
    staff(EMAIL, "agent", agent_id=agent_row("agent-a"))
    log_in(client, EMAIL)
    clock.advance(minutes=29)
    assert client.get("/console/agent/").status_code == 200  # activity: the timer restarts
    for _ in range(3):
        clock.advance(minutes=9)
        assert client.get("/console/agent/current").status_code == 200  # the screen pop's poll
    clock.advance(minutes=4)  # 31 minutes since the agent last did anything
    response = client.get("/console/agent/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    page = client.get("/console/login").get_data(as_text=True)
    assert "logged out after a period of inactivity" in page


def test_session_cookie_flags(client, staff):
    staff(EMAIL, "supervisor")
    page = client.get("/console/login")
    cookie = page.headers["Set-Cookie"]
    # PUBLIC_BASE_URL is https in the tests: Secure; always HttpOnly and SameSite=Lax
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_local_http_development_gets_cookies_without_secure(tmp_path):
    from wsgi import create_app

    app = create_app({"PUBLIC_BASE_URL": "http://localhost:5000", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    prod_like = create_app({"PUBLIC_BASE_URL": "http://localhost:5000", "INSTANCE_PATH": str(tmp_path),
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "CONSOLE_COOKIE_SECURE": "true"})
    assert prod_like.config["SESSION_COOKIE_SECURE"] is True


def test_every_console_post_needs_the_csrf_token(client, staff):
    staff(EMAIL, "admin")
    log_in(client, EMAIL)
    for path, data in [("/console/logout", {}), ("/console/admin/tokens", {"name": "x"}),
                       ("/console/admin/hours", {"day": "2026-12-24", "kind": "closed"})]:
        missing = client.post(path, data=data)
        forged = client.post(path, data={**data, "csrf_token": "forged"})
        assert missing.status_code == forged.status_code == 400, path
        assert "did not come from the console" in missing.get_data(as_text=True)
    # nothing happened
    assert "No tokens." in client.get("/console/admin/tokens").get_data(as_text=True)
    # with the token it works
    done = form_post(client, "/console/admin/hours", "/console/admin/hours",
                     {"day": "2026-12-24", "kind": "closed", "confirmed": "yes"})
    assert done.status_code == 303


def test_login_form_itself_needs_the_token(client, staff):
    staff(EMAIL, "supervisor")
    client.get("/console/login")
    response = client.post("/console/login", data={"email": EMAIL, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400


def test_webhooks_and_the_api_are_untouched_by_console_protections(client, api):
    # the bearer API takes a JSON POST without any CSRF token, and has no console headers
    created = api.post("/cases", json={"crime_reference": "5201234/26", "victim_phone": "+447911123456"})
    assert created.status_code == 201
    assert "Content-Security-Policy" not in created.headers
    # Twilio webhooks keep their own guard: an unsigned request is refused by the signature check
    unsigned = client.post("/ivr/voice", data={"CallSid": "CA1"})
    assert unsigned.status_code == 403


def test_security_headers_on_console_pages(client, staff):
    staff(EMAIL, "supervisor")
    for response in (client.get("/console/login"), log_in(client, EMAIL).get("/console/audit")):
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_passwords_are_stored_as_argon2id_with_the_services_parameters(app, client, staff, service_password_hasher):
    staff(EMAIL, "supervisor")
    stored = account(app).password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and DEFAULT_PASSWORD not in stored
    log_in(client, EMAIL)  # checked at log-in, and nothing to rehash
    assert client.get("/console/audit").status_code == 200
    assert account(app).password_hash == stored


def test_logout_ends_the_session(client, staff):
    staff(EMAIL, "supervisor")
    log_in(client, EMAIL)
    token = csrf_from(client.get("/console/audit").get_data(as_text=True))
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/audit").status_code == 302
