"""Messaging webhooks: verify Twilio's signature, step the conversation, reply with TwiML.
Also the survey API, the survey web page and case updates by text."""


def init_app(app) -> None:
    from sms import api, case_updates, routes, web

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    case_updates.connect()
