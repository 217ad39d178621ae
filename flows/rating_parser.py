"""Read a 1–5 rating out of a text message the way people actually write one.

Only a message that is *about* a single rating counts: ``4``, `` 5 ``, ``5!``, ``4/5``,
``five``, ``4 stars``, ``I'd give it a 3``, ``⭐⭐⭐⭐``.  Anything else — out of range
(``0``, ``6``, ``45``, ``10/10``), two candidates (``1 or 2``, ``4-5``), a fraction
(``4.5``) or a number inside a sentence about something else ("he came at 5") — is
``None``: the conversation asks once more rather than record a score the victim
didn't give.
"""
from __future__ import annotations

import re
import unicodedata

WORDS = {
    "zero": 0, "nil": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
# The invitation labels only the ends of the scale, so only those words are ratings.
LABELS = {"excellent": 5, "very poor": 1, "very bad": 1}
STARS = "⭐★🌟✩✪✫✬✭✮✯✰"
EMPTY_STARS = "☆"

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PREFIX = (
    r"(?:(?:i'?d|i would|i'?ll|i will|i|we'?d|we would|we)\s+)?"
    r"(?:(?:give|rate|say|score)\s+)"
    r"(?:(?:it|that|them|him|her|you|you all|the officer|the service|this|this one|the visit)\s+)?"
    r"(?:(?:a|an)\s+)?"
)
_OTHER_PREFIX = (
    r"(?:(?:my\s+)?(?:rating|score|answer)(?:\s+is|\s*[:=-])?\s*"
    r"|(?:it'?s|it is|it was|that'?s|that is)\s+(?:a\s+)?"
    r"|(?:a|an)\s+)"
)
_OUT_OF = r"(?:\s*(?:/|out\s+of|outta|of)\s*(\d+))?"
_UNIT = r"(?:\s*(?:stars?|\*|points?))?"
_SUFFIX = (
    r"(?:\s*(?:[-–:,(]\s*)?(?:excellent|very\s+poor|very\s+good|good|great|ok|okay|average|poor"
    r"|bad|terrible|brilliant|fantastic|amazing)\)?)?"
    r"(?:\s*,?\s*(?:thanks|thank\s+you|thank\s+u|thx|ta|cheers|please|pls))?"
)
_WHOLE = re.compile(
    rf"^(?:{_PREFIX}|{_OTHER_PREFIX})?{_NUMBER}{_UNIT}{_OUT_OF}{_UNIT}{_SUFFIX}$")


def parse_rating(text: str | None) -> int | None:
    """The rating 1–5 the message gives, or None when it gives none or is unclear."""
    if not text:
        return None
    cleaned = _clean(text)
    if not cleaned:
        return _stars(text)
    if cleaned in LABELS:
        return LABELS[cleaned]
    match = _WHOLE.match(_words_to_digits(cleaned))
    if not match:
        return None
    number, out_of = match.group(1), match.group(2)
    if not number.isdigit():
        return None  # 4.5 or 3,5: neither 4 nor 5
    value = int(number)
    if out_of is not None and int(out_of) != 5:
        return None  # 10/10 or 8 out of 10: a different scale
    return value if 1 <= value <= 5 else None


def _clean(text: str) -> str:
    """Lower case, keycaps as digits, emoji and trailing punctuation dropped, one space."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u20e3", "")
    text = text.replace("\ufe0f", "").lower()
    kept = []
    for ch in text:
        if ch in STARS or ch in EMPTY_STARS:
            kept.append(" ")  # stars alone are handled by _stars; mixed with words: unclear
            kept.append("\0")
        elif unicodedata.category(ch) in ("So", "Sk", "Cs", "Co") or ch in "\u200d":
            kept.append(" ")  # 👍 😊: decoration, not content
        else:
            kept.append(ch)
    text = "".join(kept)
    if "\0" in text:
        return ""  # star characters: count them instead
    text = re.sub(r"[:;]-?[()dp]\s*$", "", text)  # a trailing :) or :(
    text = re.sub(r"[\s!.?~]+$", "", text)
    text = re.sub(r"^[\s\"']+|[\"']+$", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _stars(text: str) -> int | None:
    """⭐⭐⭐⭐ is 4; ★★★☆☆ is 3 (filled stars out of five); anything else mixed in: unclear."""
    body = re.sub(r"[\s\ufe0f!.]", "", text)
    if not body or any(ch not in STARS and ch not in EMPTY_STARS for ch in body):
        return None
    filled = sum(ch in STARS for ch in body)
    empty = sum(ch in EMPTY_STARS for ch in body)
    if empty and filled + empty != 5:
        return None
    return filled if 1 <= filled <= 5 else None


def _words_to_digits(text: str) -> str:
    return re.sub(r"\b(" + "|".join(WORDS) + r")\b", lambda m: str(WORDS[m.group(1)]), text)
