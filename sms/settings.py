"""Settings for texting, read from app config, then the environment, then defaults.

(desk/config.py lists the service-wide settings; these are the SMS side's own.)
"""
from __future__ import annotations

import os

import phonenumbers
from flask import current_app

DEFAULTS = {
    "SURVEY_DELAY_MINUTES": 60,         # after the contact, before the invitation is texted
    "SURVEY_EXPIRY_DAYS": 7,            # replies after this get a polite "closed" note
    "SMS_QUIET_HOURS": "21:00-08:00",   # Europe/London; "" turns quiet hours off
}


def get(name: str):
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        value = DEFAULTS[name]
    return value


def delay_minutes() -> float:
    return float(get("SURVEY_DELAY_MINUTES"))


def expiry_days() -> float:
    return float(get("SURVEY_EXPIRY_DAYS"))


def quiet_hours() -> str | None:
    return str(get("SMS_QUIET_HOURS") or "").strip() or None


def desk_number() -> str:
    """The desk line as a person would dial it: ``020 7946 0000``."""
    raw = current_app.config["TWILIO_PHONE_NUMBER"]
    try:
        number = phonenumbers.parse(raw, "GB")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return raw
