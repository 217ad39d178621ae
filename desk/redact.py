"""Pseudonyms for personal data in logs: a keyed hash stands in for a phone number,
so log lines about one caller can be joined without revealing who they are."""
from __future__ import annotations

import hashlib
import hmac

_key = b"unset"


def init_app(app) -> None:
    global _key
    _key = (app.config.get("LOG_HASH_KEY") or app.config["SECRET_KEY"]).encode()


def pseudonym(value: str | None) -> str:
    if not value:
        return "-"
    return "p_" + hmac.new(_key, value.encode(), hashlib.sha256).hexdigest()[:12]
