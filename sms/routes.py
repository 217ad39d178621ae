"""Twilio messaging webhooks."""
from __future__ import annotations

from flask import Blueprint, Response
from twilio.twiml.messaging_response import MessagingResponse

from desk.signature import twilio_webhook

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.post("/inbound")
@twilio_webhook
def inbound():
    response = MessagingResponse()
    response.message("Victim Focus Desk. In an emergency call 999.")
    return Response(str(response), mimetype="text/xml")


@bp.post("/status")
@twilio_webhook
def status():
    return "", 204
