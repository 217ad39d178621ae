"""The safe answer when the service cannot run the call flow (database or Redis down,
or anything else failing): the emergency notice in both languages, then a
connection to FALLBACK_PHONE_NUMBER if one is configured, else honest advice to call
again.  It needs nothing but the prompt catalog on disk.

No callback is promised here: without the database we cannot ask whether it is safe
to call the victim back, and ringing an unknown phone could put them at risk.

The same document, built without a fallback number, is shipped as
ivr/static/fallback.xml for Twilio's Fallback URL (used when this service does not
answer at all).  Regenerate it with ``python -m ivr.fallback`` (a test checks the
file matches).
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from twilio.twiml.voice_response import VoiceResponse

from flows import prompts
from ivr.voices import DEFAULT_VOICES, add_say

STATIC_FILE = Path(__file__).resolve().parent / "static" / "fallback.xml"


def _say(response: VoiceResponse, key: str, language: str, voices: Mapping[str, str] | None) -> None:
    add_say(response, prompts.say(key, language), voices)


def fallback_response(fallback_number: str | None = None, dial_action: str | None = None,
                      voices: Mapping[str, str] | None = None) -> VoiceResponse:
    """VOICES: the IVR_VOICE_* settings (default: the running app's)."""
    response = VoiceResponse()
    for language in ("en", "pl"):
        _say(response, "fallback_sorry", language, voices)
        _say(response, "safety", language, voices)
    if fallback_number:
        _say(response, "fallback_connecting", "en", voices)
        # the action decides what follows: nothing after a conversation, advice if unanswered
        response.dial(fallback_number, timeout=30, action=dial_action, method="POST")
        return response
    return try_later(response, voices)


def try_later(response: VoiceResponse | None = None, voices: Mapping[str, str] | None = None) -> VoiceResponse:
    response = response or VoiceResponse()
    for language in ("en", "pl"):
        _say(response, "fallback_try_later", language, voices)
    response.hangup()
    return response


def hold_over_response(voices: Mapping[str, str] | None = None) -> VoiceResponse:
    """For a caller whose hold music ran out with the stores down and no fallback
    number: the emergency notice and the 24-hour helplines, how to call again, goodbye."""
    response = VoiceResponse()
    for language in ("en", "pl"):
        _say(response, "fallback_sorry", language, voices)
        _say(response, "safety", language, voices)
        _say(response, "helplines", language, voices)
    return try_later(response, voices)


def static_document() -> str:
    """For Twilio's Fallback URL, read in the default voices (regenerate after changing them)."""
    return str(fallback_response(None, voices=DEFAULT_VOICES)) + "\n"


def main() -> int:
    STATIC_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATIC_FILE.write_text(static_document(), encoding="utf-8")
    print(f"wrote {STATIC_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
