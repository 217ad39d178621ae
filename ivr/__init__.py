"""Voice webhooks: verify Twilio's signature, step the call flow, render TwiML."""


def init_app(app) -> None:
    from ivr import routes

    app.register_blueprint(routes.bp)
