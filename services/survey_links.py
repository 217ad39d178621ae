"""Signed survey links (``/s/<token>``) and the form nonces of the survey page.

The token names the survey and when the link stops working; it is signed with
SECRET_KEY, so it cannot be guessed or edited, and holds nothing about the case.
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

import segno
from itsdangerous import BadData, URLSafeSerializer

from desk import settings

LINK_SALT = "survey-link"
FORM_SALT = "survey-form"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.current()["SECRET_KEY"], salt=salt)


def make_token(survey_id: int, expires_at: datetime) -> str:
    return _serializer(LINK_SALT).dumps([survey_id, int(expires_at.timestamp())])


def _read(token: str) -> tuple[int, datetime] | None:
    try:
        survey_id, expires = _serializer(LINK_SALT).loads(token)
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(survey_id, int) or not isinstance(expires, int):
        return None
    return survey_id, datetime.fromtimestamp(expires, UTC)


def read_token(token: str, now: datetime) -> int | None:
    """The survey id in a link that is genuine and not expired, else None."""
    read = _read(token)
    return read[0] if read is not None and now < read[1] else None


def read_expired(token: str, now: datetime) -> int | None:
    """The survey id in a genuine link whose time is over (its page says the survey has
    closed, in the survey's language), else None."""
    read = _read(token)
    return read[0] if read is not None and now >= read[1] else None


def survey_url(survey_id: int, expires_at: datetime) -> str:
    return settings.public_url(f"/s/{make_token(survey_id, expires_at)}")


def make_nonce(survey_id: int) -> str:
    return _serializer(FORM_SALT).dumps([survey_id, secrets.token_hex(8)])


def nonce_matches(nonce: str, survey_id: int) -> bool:
    try:
        value = _serializer(FORM_SALT).loads(nonce or "")
    except (BadData, ValueError, TypeError):
        return False
    return isinstance(value, list) and len(value) == 2 and value[0] == survey_id


def qr(url: str):
    """A QR code that survives a cheap printer: error correction Q, quiet zone kept."""
    return segno.make(url, error="q", micro=False)


# An unsubscribe link never expires: a victim may open an old email to stop new ones.
UNSUBSCRIBE_SALT = "email-unsubscribe"


def unsubscribe_url(email: str, language: str = "en") -> str:
    """The link that stops email to EMAIL; LANGUAGE: its page's (the email's) language."""
    url = settings.public_url(f"/email/unsubscribe/{_serializer(UNSUBSCRIBE_SALT).dumps(email.lower())}")
    return url + "?lang=pl" if language == "pl" else url


def read_unsubscribe(token: str) -> str | None:
    """The address in a genuine unsubscribe link, else None."""
    try:
        email = _serializer(UNSUBSCRIBE_SALT).loads(token)
    except (BadData, ValueError, TypeError):
        return None
    return email if isinstance(email, str) and "@" in email else None
