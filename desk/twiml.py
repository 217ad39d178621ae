"""A TwiML document as the HTTP answer Twilio expects."""
from __future__ import annotations

from flask import Response


def twiml(document) -> Response:
    """DOCUMENT: a twilio-python VoiceResponse or MessagingResponse."""
    return Response(str(document), mimetype="text/xml")
