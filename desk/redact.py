"""Pseudonyms for personal data in logs: a keyed hash stands in for a phone number,
so log lines about one caller can be joined without revealing who they are."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re

_key = b"unset"


# Libraries that log the URLs and query parameters of Twilio REST requests, where a
# message look-up names the victim's number (To=%2B4479…).
LIBRARY_LOGGERS = ("twilio.http_client", "urllib3.connectionpool")
_NUMBER = re.compile(r"(?:%2B|\+)?\d{7,}")


class WithholdNumbers(logging.Filter):
    """Replaces anything that looks like a phone number in a record with [number]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _NUMBER.search(message):
            record.msg, record.args = _NUMBER.sub("[number]", message), ()
        return True


def configure(config) -> None:
    """Key the pseudonyms and hide numbers in the libraries' logs (at start-up)."""
    global _key
    _key = (config.get("LOG_HASH_KEY") or config["SECRET_KEY"]).encode()
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdNumbers) for f in logger.filters):
            logger.addFilter(WithholdNumbers())


def pseudonym(value: str | None) -> str:
    if not value:
        return "-"
    # 24 hex digits, 96 bits: only the key, not a search of every UK number, leads back
    return "p_" + hmac.new(_key, value.encode(), hashlib.sha256).hexdigest()[:24]
