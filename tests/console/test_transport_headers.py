"""Over https every response tells browsers to stay on https (HSTS), and in production
the console's session cookie carries the __Host- prefix, so no sibling host or plain-http
page can set or shadow it."""
from __future__ import annotations

import pytest

from desk import settings
from tests.support.console import log_in

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def production(app):
    from desk.redis_conn import connect
    from wsgi import create_app

    names = ("INSTANCE_PATH", "DATABASE_URL", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID",
             "TWILIO_PHONE_NUMBER")
    # production names every setting, so the embedded test Redis by its socket
    redis_url = app.config["REDIS_URL"] or f"unix://{connect(app.config).socket_file}"
    return create_app({"TESTING": True, "DESK_ENV": "production", "REDIS_URL": redis_url,
                       "SECRET_KEY": "s" * 32, "LOG_HASH_KEY": "l" * 32,
                       **{name: app.config[name] for name in names}})


@pytest.mark.parametrize("path", ["/console/login", "/console/static/console.css", "/ivr/fallback",
                                  "/api/v1/cases/x", "/no/such/page"])
def test_every_response_over_https_carries_hsts(client, path):
    assert client.get(path).headers.get("Strict-Transport-Security") == HSTS


def test_no_hsts_when_the_service_is_plain_http(app, client):
    settings.override(app.config, PUBLIC_BASE_URL="http://localhost:5000")
    assert "Strict-Transport-Security" not in client.get("/console/login").headers


def test_production_session_cookie_has_the_host_prefix(production, staff):
    client = production.test_client()
    staff("sup@desk.example", "supervisor")
    log_in(client, "sup@desk.example")
    [cookie] = [c for c in client.get("/console/audit").headers.getlist("Set-Cookie")]
    name, attributes = cookie.split("=", 1)[0], cookie.lower()
    assert name == "__Host-session"
    assert "; secure" in attributes and "; path=/" in attributes and "domain=" not in attributes
    assert client.get("/console/audit").status_code == 200
