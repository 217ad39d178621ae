"""Phone numbers: parsed with phonenumbers (UK by default) and kept as E.164."""
from __future__ import annotations

import phonenumbers

from flows import spoken


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


# Numbers a callback may not ring: it costs the desk, or nobody knows what it is.
NOT_CALLABLE = (phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.SHARED_COST,
                phonenumbers.PhoneNumberType.UNKNOWN)


def typed_callback_number(digits: str | None) -> str | None:
    """A number typed on the keypad for a callback, as E.164, or None.

    ``0…`` is a UK number; ``00`` and a country code is a number abroad (the keypad has
    no +).  Either must be a real number, and not premium rate or of unknown type."""
    if not digits or not digits.isdigit() or not digits.startswith("0"):
        return None
    raw = "+" + digits[2:] if digits.startswith("00") else digits
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) in NOT_CALLABLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spoken_groups(e164: str) -> spoken.Part:
    """The number as it is read back: digit by digit, in the groups it is written in,
    a group of six or more split by threes (07911 123456: "0 7 9 1 1, 1 2 3, 4 5 6");
    a UK number in its national form, any other with "plus" and its country code
    ("plus 4 8, 6 0 1, 2 3 4, 5 6 7")."""
    number = phonenumbers.parse(e164, "GB")
    uk = number.country_code == 44
    written = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if uk else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    groups = []
    for group in "".join(ch if ch.isdigit() else " " for ch in written).split():
        while len(group) > 5:
            groups.append(group[:3])
            group = group[3:]
        groups.append(group)
    return spoken.phone(groups, international=not uk)


def spoken_phone(e164: str) -> spoken.Phrase:
    """The number as a phrase to fill into a sentence (read in groups, ivr/voices.py)."""
    return spoken.Phrase((spoken_groups(e164),))


def spoken_digits(e164: str) -> str:
    """The number as a transcript shows it read back: "0 7 9 1 1, 1 2 3, 4 5 6"."""
    return spoken_groups(e164).plain


def national(e164: str) -> str:
    """The number as a person would dial it in the UK: ``020 7946 0000``."""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
