"""Pseudonyms for personal data in logs: a keyed hash stands in for a phone number,
so log lines about one caller can be joined without revealing who they are."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re

_key = b"unset"
_previous_keys: tuple[bytes, ...] = ()


# Libraries that log the URLs and query parameters of Twilio REST requests, where a
# message look-up names the victim's number (To=%2B4479…).
LIBRARY_LOGGERS = ("twilio.http_client", "urllib3.connectionpool")
# A number with its + (or %2B, URL-encoded), spaces or dashes allowed between digits; or
# seven or more digits, spaces allowed, standing alone: not inside an id such as a
# Twilio SID, a job id or a pseudonym, whose digit runs are next to letters or dashes.
_NUMBER = re.compile(r"(?:%2B|\+)\d(?:[ -]?\d){6,}|(?<![\w-])\d(?: ?\d){6,}(?![\w-])")


def withhold_numbers(text: str) -> str:
    return _NUMBER.sub("[number]", text)


class WithholdNumbers(logging.Filter):
    """Replaces anything that looks like a phone number in a record, its message and
    any traceback, with [number]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _NUMBER.search(message):
            record.msg, record.args = withhold_numbers(message), ()
        if record.exc_info and not record.exc_text:
            # formatters reuse exc_text rather than format the exception again
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = withhold_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = withhold_numbers(record.stack_info)
        return True


def configure(config) -> None:
    """Key the pseudonyms and hide numbers in the libraries' logs (at start-up)."""
    global _key, _previous_keys
    _key = (config.get("LOG_HASH_KEY") or config["SECRET_KEY"]).encode()
    previous = config.get("LOG_HASH_KEY_PREVIOUS")
    _previous_keys = (previous.encode(),) if previous else ()
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdNumbers) for f in logger.filters):
            logger.addFilter(WithholdNumbers())


def _keyed(key: bytes, value: str) -> str:
    # 24 hex digits, 96 bits: only the key, not a search of every UK number, leads back
    return "p_" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def pseudonym(value: str | None) -> str:
    if not value:
        return "-"
    return _keyed(_key, value)


def pseudonyms(value: str) -> list[str]:
    """VALUE's pseudonym under the current key, then under LOG_HASH_KEY_PREVIOUS: what
    was written before a key rotation still matches until it expires."""
    return [_keyed(key, value) for key in (_key, *_previous_keys)]
