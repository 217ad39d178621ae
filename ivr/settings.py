"""The phone line's settings (defaults and meanings: desk/config.py) as the flow needs them."""
from __future__ import annotations

import json

from desk import config
from flows import hours
from flows.model import Settings


def setting(name: str):
    return config.setting(name)


def hours_overrides() -> hours.Overrides:
    raw = setting("IVR_HOURS_OVERRIDES")
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    from console.hours import stored_overrides  # set by admins in the console; they win

    return hours.parse_overrides({**raw, **stored_overrides()})


def flow_settings() -> Settings:
    return Settings(hours_overrides=hours_overrides(),
                    queue_max_wait_seconds=int(setting("IVR_QUEUE_MAX_WAIT_SECONDS")),
                    queue_max_size=int(setting("IVR_QUEUE_MAX_SIZE")),
                    position_every_polls=int(setting("IVR_POSITION_EVERY_POLLS")))
