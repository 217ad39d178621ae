"""Keywords a texter can send at any point, whatever conversation they are in.

A keyword is the whole message — "stop", " STOP. ", "Help?" — never a word inside a
sentence ("please don't stop the investigation" is not an opt-out).  The opt-out and
opt-in words are the ones Twilio's own Advanced Opt-Out recognises, so what we record
agrees with what Twilio enforces.
"""
from __future__ import annotations

import re

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
CALLBACK = "callback"
UPDATE = "update"

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"), OPT_OUT),
    **dict.fromkeys(("START", "YES", "UNSTOP"), OPT_IN),
    **dict.fromkeys(("HELP", "INFO"), HELP),
    "CALL": CALLBACK,
    "UPDATE": UPDATE,
}


def keyword(text: str | None) -> str | None:
    """The action the whole message asks for, or None when it is not a keyword."""
    if not text:
        return None
    word = re.sub(r"[\s.!?,;:'\"]+$", "", text.strip()).strip().upper()
    return KEYWORDS.get(word)
