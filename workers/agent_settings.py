"""Tunables for agent routing and callbacks.

Read from app.config (create_app overrides), then the environment, then the default,
so operators can change them without code and tests can pin them.
"""
from __future__ import annotations

import os
from datetime import timedelta

from flask import current_app

DEFAULTS: dict[str, str] = {
    "DESK_QUEUE_NAME": "desk",            # the Twilio queue callers wait in
    "AGENT_RING_SECONDS": "20",           # how long an agent's phone rings
    "AGENT_WRAP_UP_SECONDS": "60",        # after a call, before the agent is rung again
    "AGENT_OFFER_STALE_SECONDS": "120",   # a ringing offer with no news is given up after this
    "AGENT_ACCEPT_SECONDS": "10",         # time to press 1 after the whisper
    "AGENT_PULL_WAIT_SECONDS": "45",      # an agent waits this long for a caller taken by CallSid
    "AGENT_MAX_CALL_SECONDS": "14400",    # an accepted call with no news for this long is closed
    "CALLBACK_MAX_ATTEMPTS": "3",
    "CALLBACK_RETRY_MINUTES": "15,60",    # gap after the 1st, 2nd… failed attempt
    "CALLBACK_RING_SECONDS": "25",        # how long the victim's phone rings
    "DISPATCH_SWEEP_SECONDS": "30",       # periodic re-dispatch (callbacks falling due)
}


def setting(name: str) -> str:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name) or DEFAULTS[name]
    return str(value)


def seconds(name: str) -> int:
    return int(float(setting(name)))


def duration(name: str) -> timedelta:
    return timedelta(seconds=seconds(name))


def retry_spacing() -> tuple[timedelta, ...]:
    return tuple(timedelta(minutes=float(m)) for m in setting("CALLBACK_RETRY_MINUTES").split(",") if m.strip())


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
