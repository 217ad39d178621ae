"""Entry point: `gunicorn wsgi:app`, `flask --app wsgi …`.

``create_app`` checks the settings, then assembles the web app: the voice and SMS
webhooks, the JSON API, the console and the operators' commands.  Each app context
(a request, a command, a test's ``with app.app_context()``) binds the app's settings
and database for the services below, which know nothing of Flask.
"""
from __future__ import annotations

from flask import Flask, appcontext_pushed, g
from werkzeug.middleware.proxy_fix import ProxyFix

import api
import commands
import console
import ivr
import ops
import sms
from desk import redact, settings
from desk.logs import configure_logging
from desk.request_ids import RequestIdMiddleware
from models import db


def create_app(overrides: dict | None = None) -> Flask:
    cfg = settings.load(overrides)
    app = Flask(__name__, instance_path=cfg["INSTANCE_PATH"], instance_relative_config=True)
    app.config.update(cfg)
    # Twilio's webhooks and the API's JSON are a few kilobytes: anything far larger is
    # refused with 413 before it is read, so one request cannot hold a worker's memory.
    app.config["MAX_CONTENT_LENGTH"] = cfg["MAX_REQUEST_BYTES"]
    if hops := cfg["PROXY_HOPS"]:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)
    redact.configure(app.config)
    configure_logging(app.config)
    app.extensions["db_engine"] = db.prepare(app.config["DATABASE_URL"])
    app.teardown_appcontext(_unbind)
    ops.init_app(app)  # first: its request timer must start before any other hook can answer
    api.init_app(app)
    ivr.init_app(app)
    sms.init_app(app)
    console.init_app(app)
    commands.init_app(app)
    return app


def _bind(app: Flask, **_extra) -> None:
    if "db_engine" not in app.extensions:
        return  # another Flask app in this process (a test's toy app)
    g.desk_tokens = (settings.bind(app.config), db.bind(app.extensions["db_engine"]))


def _unbind(_exc) -> None:
    tokens = g.pop("desk_tokens", None)
    if tokens is not None:
        config_token, db_token = tokens
        db.unbind(db_token)
        settings.unbind(config_token)


# One receiver for every app this process makes (tests make many).
appcontext_pushed.connect(_bind, weak=False)

app = create_app()
