"""/healthz says the process answers; /readyz and `flask check` say whether it can serve,
naming what is wrong; neither needs a login, writes an audit row or an access-log line."""
from __future__ import annotations

import logging

import pytest


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_readyz_is_200_with_every_check_passing(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ready"] is True and body["failed"] == []
    assert [check["name"] for check in body["checks"]] == ["database", "redis", "schema"]


@pytest.fixture
def code_ahead(monkeypatch):
    """The code expects a migration the database has not had."""
    from services import readiness

    monkeypatch.setattr(readiness, "code_heads", lambda: frozenset({"9999_not_applied"}))


def test_readyz_is_503_naming_the_schema_when_a_migration_is_missing(client, code_ahead):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["schema"]
    assert "9999_not_applied" in body["checks"][2]["detail"]


def test_readyz_is_503_naming_redis_when_it_is_away(app):
    from wsgi import create_app

    names = ("INSTANCE_PATH", "DATABASE_URL", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID",
             "TWILIO_PHONE_NUMBER", "SECRET_KEY")
    cut_off = create_app({"TESTING": True, "REDIS_URL": "redis://127.0.0.1:1/0",
                          **{name: app.config[name] for name in names}})
    response = cut_off.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["redis"]


def test_probes_need_no_login_and_write_no_audit_row(app, client):
    from sqlmodel import func, select

    from models.db import session
    from models.staff import AuditLog

    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    with app.app_context():
        assert session().exec(select(func.count()).select_from(AuditLog)).one() == 0


@pytest.mark.parametrize("logger", ["gunicorn.access", "werkzeug"])
def test_the_access_log_leaves_out_the_probes_only(app, logger):
    def line(request_line: str) -> logging.LogRecord:
        return logging.LogRecord(logger, logging.INFO, __file__, 1,
                                 f'10.0.0.2 - - [05/Dec/2026:11:00:00 +0000] "{request_line}" 200 2 "-" "kube-probe"',
                                 (), None)

    access = logging.getLogger(logger)
    assert not access.filter(line("GET /healthz HTTP/1.1"))
    assert not access.filter(line("GET /readyz HTTP/1.1"))
    assert access.filter(line("POST /ivr/voice HTTP/1.1"))
    assert access.filter(line("GET /healthzz HTTP/1.1"))


def test_flask_check_prints_each_check_and_exits_0(app):
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t")[:2] for line in result.output.splitlines()]
    assert lines == [["database", "ok"], ["redis", "ok"], ["schema", "ok"]]


def test_flask_check_exits_1_naming_what_failed(app, code_ahead):
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "schema\tFAILED\tdatabase at " in result.output
    assert "database\tok" in result.output
