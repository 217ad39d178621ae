"""Flow events -> TwiML, with twilio's VoiceResponse.  Events that are not TwiML
(queries, callback records, queue events) are the routes' business and skipped here."""
from __future__ import annotations

from flask import url_for
from twilio.twiml.voice_response import VoiceResponse

from desk import settings
from flows.model import Dial, Enqueue, Event, Gather, Hangup, Leave, Pause, Play, Redirect, Say
from ivr.voices import LOCALES, add_say

# Gathers send the caller's answer to these routes (endpoint names in ivr.routes).
TARGETS = {"step": "ivr.step", "queue_key": "ivr.queue_key"}


def media_url(name: str) -> str:
    return {"hold_music": settings.current()["IVR_HOLD_MUSIC_URL"]}[name]


def _prompt(parent, event) -> None:
    if isinstance(event, Say):
        add_say(parent, event)
    elif isinstance(event, Play):
        parent.play(media_url(event.media))
    elif isinstance(event, Pause):
        parent.pause(length=event.seconds)


def render(events: list[Event], token: str | None = None) -> VoiceResponse:
    """EVENTS as TwiML; every action URL carries TOKEN, the call's one-time step token."""
    response = VoiceResponse()

    def url(endpoint: str) -> str:
        return url_for(endpoint, step=token) if token else url_for(endpoint)

    for event in events:
        if isinstance(event, Say | Play | Pause):
            _prompt(response, event)
        elif isinstance(event, Gather):
            options = {"input": "dtmf speech" if event.speech else "dtmf",
                       "action": url(TARGETS[event.target]), "method": "POST",
                       "timeout": event.timeout, "language": LOCALES[event.language],
                       "action_on_empty_result": False}
            if event.speech:
                options["speech_timeout"] = "auto"
            if event.num_digits:
                options["num_digits"] = event.num_digits
            if event.finish_on_key:
                options["finish_on_key"] = event.finish_on_key
            if event.hints:
                options["hints"] = ", ".join(event.hints)
            gather = response.gather(**options)
            for prompt in event.prompts:
                _prompt(gather, prompt)
        elif isinstance(event, Redirect):
            response.redirect(url(TARGETS[event.target]), method="POST")
        elif isinstance(event, Enqueue):
            response.enqueue(settings.current()["DESK_QUEUE_NAME"] if event.queue == "desk" else event.queue,
                             action=url("ivr.queue_exit"), method="POST",
                             wait_url=url("ivr.queue_wait"), wait_url_method="POST")
        elif isinstance(event, Leave):
            response.leave()
        elif isinstance(event, Hangup):
            response.hangup()
        elif isinstance(event, Dial):
            response.dial(event.number)
    return response
