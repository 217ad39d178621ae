"""Twilio voice webhooks."""
from __future__ import annotations

from flask import Blueprint, Response
from twilio.twiml.voice_response import VoiceResponse

from desk.signature import twilio_webhook

bp = Blueprint("ivr", __name__, url_prefix="/ivr")


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


@bp.post("/voice")
@twilio_webhook
def voice():
    response = VoiceResponse()
    response.say("Victim Focus Desk. If you are in danger now, hang up and dial 999.",
                  voice="Polly.Amy", language="en-GB")
    return twiml(response)


@bp.post("/status")
@twilio_webhook
def status():
    return "", 204
