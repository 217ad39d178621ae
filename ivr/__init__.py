"""Voice webhooks: verify Twilio's signature, step the call flow, render TwiML."""
import logging


def init_app(app) -> None:
    from ivr import calls_api, routes

    routes.init_flow(app)  # a broken flow or bad opening-hours setting stops start-up here
    app.register_blueprint(routes.bp)
    app.register_blueprint(calls_api.bp)
    try:
        from ivr import agent_routes
    except ImportError as exc:
        logging.getLogger(__name__).warning("no agent-side webhooks: ivr.agent_routes cannot be imported (%s)", exc)
    else:
        agent_routes.init_app(app)
