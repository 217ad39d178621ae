"""The SMS side's settings (defaults and meanings: desk/config.py) as it needs them."""
from __future__ import annotations

import phonenumbers
from flask import current_app

from desk import config


def get(name: str):
    return config.setting(name)


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
