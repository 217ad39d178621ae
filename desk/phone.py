"""The desk's own number, as victims are told to dial it (formatting: flows/phone.py)."""
from __future__ import annotations

from desk import settings
from flows.phone import national


def desk_number() -> str:
    return national(settings.current()["TWILIO_PHONE_NUMBER"])
