"""Voice webhooks: verify Twilio's signature, step the call flow, render TwiML."""
from __future__ import annotations

from ivr import agent_routes, routes


def init_app(app) -> None:
    routes.init_flow(app)  # a broken flow or bad opening-hours setting stops start-up here
    app.register_blueprint(routes.bp)
    agent_routes.init_app(app)
