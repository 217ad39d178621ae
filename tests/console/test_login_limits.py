"""Login limits stop guessing without locking the desk out: behind the TLS proxy every
member of staff arrives from one address, and a shift change is many logins at once."""
from __future__ import annotations

import pytest

from desk import settings
from tests.support.console import DEFAULT_PASSWORD, csrf_from

PROXY = "10.0.0.2"
TOO_MANY = "Too many attempts. Try again in 15 minutes."


def attempt(client, email, password, *, remote=PROXY, forwarded_for=None):
    environ = {"REMOTE_ADDR": remote}
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = csrf_from(client.get("/console/login", environ_base=environ, headers=headers)
                      .get_data(as_text=True))
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ, headers=headers)


@pytest.fixture
def behind_one_proxy(app, instance_path):
    """The web app as deployed behind one TLS proxy (PROXY_HOPS=1), on the test's database."""
    from wsgi import create_app

    names = ("INSTANCE_PATH", "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN",
             "TWILIO_ACCOUNT_SID", "TWILIO_PHONE_NUMBER", "SECRET_KEY")
    return create_app({"TESTING": True, "PROXY_HOPS": 1, **{name: app.config[name] for name in names}})


def test_a_shift_change_of_25_logins_through_one_proxy_all_succeed(app, staff):
    emails = [f"agent{n}@desk.example" for n in range(5)]
    for email in emails:
        staff(email, "supervisor")
    for n in range(25):
        assert attempt(app.test_client(), emails[n % 5], DEFAULT_PASSWORD).status_code == 302, n


def test_failed_logins_from_one_address_are_limited_and_told_how_long_to_wait(app, staff):
    settings.override(app.config, CONSOLE_LOGIN_IP_LIMIT=3)
    staff("sam@desk.example", "supervisor")
    for n in range(3):
        assert attempt(app.test_client(), f"guess{n}@desk.example", "a wrong guess").status_code == 401
    limited = attempt(app.test_client(), "sam@desk.example", DEFAULT_PASSWORD)
    assert limited.status_code == 429
    assert TOO_MANY in limited.get_data(as_text=True)
    # another address is not affected
    assert attempt(app.test_client(), "sam@desk.example", DEFAULT_PASSWORD, remote="10.9.8.7").status_code == 302


def test_behind_the_proxy_two_clients_are_counted_apart(app, behind_one_proxy, staff):
    settings.override(behind_one_proxy.config, CONSOLE_LOGIN_IP_LIMIT=3)
    staff("sam@desk.example", "supervisor")
    for n in range(3):
        guess = attempt(behind_one_proxy.test_client(), f"guess{n}@desk.example", "a wrong guess",
                        forwarded_for="203.0.113.9")
        assert guess.status_code == 401
    limited = attempt(behind_one_proxy.test_client(), "sam@desk.example", DEFAULT_PASSWORD,
                      forwarded_for="203.0.113.9")
    assert limited.status_code == 429
    colleague = attempt(behind_one_proxy.test_client(), "sam@desk.example", DEFAULT_PASSWORD,
                        forwarded_for="198.51.100.4")
    assert colleague.status_code == 302


def test_a_locked_account_is_told_how_long_to_wait_and_an_unknown_one_gets_the_same(app, staff, clock):
    staff("sam@desk.example", "supervisor")
    for email in ("sam@desk.example", "nobody@desk.example"):
        answers = [attempt(app.test_client(), email, "a wrong guess", remote=f"10.1.0.{n}") for n in range(5)]
        assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
        locked = attempt(app.test_client(), email, DEFAULT_PASSWORD, remote="10.2.0.1")
        assert locked.status_code == 429, email
        assert TOO_MANY in locked.get_data(as_text=True)
    clock.advance(minutes=3)
    later = attempt(app.test_client(), "sam@desk.example", DEFAULT_PASSWORD, remote="10.2.0.1")
    assert "Try again in 12 minutes." in later.get_data(as_text=True)
