"""Messaging webhooks: verify Twilio's signature, step the conversation, reply with TwiML."""


def init_app(app) -> None:
    from sms import routes

    app.register_blueprint(routes.bp)
