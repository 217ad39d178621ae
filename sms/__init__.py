"""Messaging webhooks: verify Twilio's signature, step the conversation, reply with
TwiML; and the survey's web page."""
from __future__ import annotations

from sms import routes, web


def init_app(app) -> None:
    app.register_blueprint(routes.bp)
    app.register_blueprint(web.bp)
