"""Phone numbers: parsed with phonenumbers (UK by default) and kept as E.164."""
from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str | None, region: str = "GB") -> str:
    """``07700 900123`` -> ``+447700900123``; raises InvalidPhone for anything not diallable."""
    if not raw or not isinstance(raw, str):
        raise InvalidPhone("a phone number is required")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_e164(raw: str | None) -> str | None:
    try:
        return to_e164(raw)
    except InvalidPhone:
        return None


def spoken_digits(e164: str) -> str:
    """The national form read digit by digit, as a caller would say it back."""
    number = phonenumbers.parse(e164, "GB")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return " ".join(ch for ch in national if ch.isdigit())


def national(e164: str) -> str:
    """The number as a person would dial it in the UK: ``020 7946 0000``."""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
