"""The phone line's settings: app.config first, then the environment, then defaults.

(They are not in desk/config.py's table yet, so they are read here by name.)
"""
from __future__ import annotations

import json
import os

from flask import current_app

from flows import hours
from flows.model import Settings

DEFAULTS: dict[str, object] = {
    "DESK_QUEUE_NAME": "desk",            # shared with workers/agent_settings.py
    "IVR_HOLD_MUSIC_URL": "https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
    "IVR_QUEUE_MAX_WAIT_SECONDS": 1200,   # then the caller is offered a callback
    "IVR_QUEUE_MAX_SIZE": 10,             # callers waiting before new ones get the offer
    "IVR_POSITION_EVERY_POLLS": 3,
    "IVR_CASE_LOCKOUT_FAILURES": 5,       # failed case look-ups per number per day
    "IVR_HOURS_OVERRIDES": "{}",          # JSON {"2026-12-24": "08:00-14:00", "2026-12-25": "closed"}
    "IVR_LEAFLET_URL": "https://www.gov.uk/government/publications/the-code-of-practice-for-victims-of-crime",
    "IVR_VOICE_EN": "Polly.Amy",
    "IVR_VOICE_PL": "Polly.Ewa",
}


def setting(name: str):
    config = current_app.config
    if config.get(name) is not None:
        return config[name]
    return os.environ.get(name, DEFAULTS[name])


def hours_overrides() -> hours.Overrides:
    raw = setting("IVR_HOURS_OVERRIDES")
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    return hours.parse_overrides(raw)


def flow_settings() -> Settings:
    return Settings(hours_overrides=hours_overrides(),
                    queue_max_wait_seconds=int(setting("IVR_QUEUE_MAX_WAIT_SECONDS")),
                    queue_max_size=int(setting("IVR_QUEUE_MAX_SIZE")),
                    position_every_polls=int(setting("IVR_POSITION_EVERY_POLLS")))
