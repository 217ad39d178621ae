"""Entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from __future__ import annotations

import logging

from flask import Flask

from desk import config as settings


def create_app(overrides: dict | None = None) -> Flask:
    cfg = settings.load(overrides)
    app = Flask(__name__, instance_path=cfg["INSTANCE_PATH"], instance_relative_config=True)
    app.config.update(cfg)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from console import init_app as init_console
    from desk import api, cases_api, cli, limits, redact
    from ivr import init_app as init_ivr
    from models import db
    from sms import init_app as init_sms

    redact.init_app(app)
    limits.init_app(app)
    db.init_app(app)
    api.init_app(app)
    app.register_blueprint(cases_api.bp)
    init_ivr(app)
    init_sms(app)
    init_console(app)
    cli.init_app(app)
    return app


app = create_app()
