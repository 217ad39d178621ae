"""Failed console logins and lockouts are counted for /metrics."""
from __future__ import annotations

from tests.console.test_login_limits import attempt
from tests.ops.scraping import value


def test_failed_logins_and_lockouts_are_counted(app, staff):
    staff("agent@desk.example", "supervisor")
    failures, lockouts = value(app, "desk_console_login_failures_total"), value(app, "desk_console_lockouts_total")
    for _ in range(app.config["CONSOLE_LOGIN_MAX_FAILURES"]):
        attempt(app.test_client(), "agent@desk.example", "wrong password")
    assert value(app, "desk_console_login_failures_total") == failures + app.config["CONSOLE_LOGIN_MAX_FAILURES"]
    assert value(app, "desk_console_lockouts_total") == lockouts + 1
