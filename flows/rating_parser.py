"""Read a 1–5 rating out of a text message the way people actually write one.

Only a message that is *about* a single rating counts: ``4``, `` 5 ``, ``5!``, ``4/5``,
``five``, ``4 stars``, ``I'd give it a 3``, ``⭐⭐⭐⭐``.  Anything else — out of range
(``0``, ``6``, ``45``, ``10/10``), two candidates (``1 or 2``, ``4-5``), a fraction
(``4.5``) or a number inside a sentence about something else ("he came at 5") — is
``None``: the conversation asks once more rather than record a score the victim
didn't give.

``read_rating`` also reads a rating given with its reason: a leading or clearly marked
1–5 with words after it ("4 - he was kind", "3 but slow", "I'd give it a 3 to be
honest", "Really helpful, 5/5", "pięć, bardzo miła") is the rating, and the words are
the comment.  A number inside a sentence ("he came at 5"), two numbers ("1 or 2")
or a count ("2 officers came") still gives nothing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WORDS = {
    "zero": 0, "nil": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    # Polish (with and without the accents phones drop)
    "jeden": 1, "jedna": 1, "dwa": 2, "dwie": 2, "trzy": 3, "cztery": 4, "pięć": 5, "piec": 5,
    "sześć": 6, "szesc": 6, "dziesięć": 10, "dziesiec": 10,
}
# The invitation labels only the ends of the scale, so only those words are ratings.
LABELS = {"excellent": 5, "very poor": 1, "very bad": 1}
STARS = "⭐★🌟✩✪✫✬✭✮✯✰"
EMPTY_STARS = "☆"

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PREFIX = (
    r"(?:(?:i'?d|i would|i'?ll|i will|i|we'?d|we would|we)\s+)?"
    r"(?:(?:give|gave|rate|rated|say|score)\s+)"
    r"(?:(?:it|that|them|him|her|you|you all|the officer|the service|this|this one|the visit)\s+)?"
    r"(?:(?:a|an)\s+)?"
)
_OTHER_PREFIX = (
    r"(?:(?:my\s+)?(?:rating|score|answer)(?:\s+is|\s*[:=-])?\s*"
    r"|(?:it'?s|it is|it was|that'?s|that is)\s+(?:a\s+)?"
    r"|(?:a|an)\s+"
    # Polish: "daję 5", "dałabym 4", "oceniam na 4", "moja ocena: 3"
    r"|(?:daję|daje|dałbym|dalbym|dałabym|dalabym|dam)\s+(?:(?:mu|jej|im)\s+)?(?:ocenę\s+|ocene\s+)?"
    r"|(?:oceniam|oceniłbym|oceniłabym)(?:\s+(?:go|ją|ja|ich))?\s+na\s+"
    r"|(?:moja\s+)?ocena(?:\s+to)?\s*[:=-]?\s*)"
)
_OUT_OF = r"(?:\s*(?:/|out\s+of|outta|of|na)\s*(\d+))?"
_UNIT = r"(?:\s*(?:stars?|\*|points?|gwiazdki|gwiazdek|gwiazdka|gwiazdy))?"
_SUFFIX = (
    r"(?:\s*(?:[-–:,(]\s*)?(?:excellent|very\s+poor|very\s+good|good|great|ok|okay|average|poor"
    r"|bad|terrible|brilliant|fantastic|amazing)\)?)?"
    r"(?:\s*,?\s*(?:thanks|thank\s+you|thank\s+u|thx|ta|cheers|please|pls|dziękuję|dziekuje|dzięki|dzieki))?"
)
_WHOLE = re.compile(
    rf"^(?:{_PREFIX}|{_OTHER_PREFIX})?{_NUMBER}{_UNIT}{_OUT_OF}{_UNIT}{_SUFFIX}$")
# A rating first, then its reason: "4 - he was kind", "3 but slow", "I'd give it a 3 to be honest"
_WORD_NUMBER = r"(?P<number>\d+(?:[.,]\d+)?|" + "|".join(WORDS) + r")"
_LEADING = re.compile(
    rf"^(?:{_PREFIX}|{_OTHER_PREFIX})?{_WORD_NUMBER}{_UNIT}"
    r"(?:\s*(?:/|out\s+of|outta|of|na)\s*(?P<out_of>\d+))?"
    rf"{_UNIT}(?:\s*[-–—:,.!;)(]+\s*|\s+)(?P<rest>[^\s\d].*)$")
# The reason first, then a clearly marked rating: "Really helpful, 5/5", "kind officer 4 stars"
_TRAILING = re.compile(
    r"^(?P<rest>.*[^\s\d])[\s,.;:!-]+(?P<number>\d+)\s*"
    r"(?:(?:/|out\s+of|na)\s*(?P<out_of>\d+)|(?P<unit>stars?|gwiazdki|gwiazdek))$")
# What may follow a number that is not a rating: a second number, a time, a count
_NOT_A_REASON = re.compile(
    r"^(?:(?:or|to|and|-|lub|albo|do|i)\s*\d|\d|or\b|lub\b|albo\b"
    r"|(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|times?|o'?clock|am|pm|p\.m|a\.m"
    r"|officers?|people|cops|calls?|texts?|weeks|nights?|am|minut|godzin\w*|dni|razy|policjant\w*)\b)")


@dataclass(frozen=True)
class Reading:
    """What one text says: a rating 1–5 and, if words came with it, the comment."""
    rating: int
    comment: str | None = None


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


def read_rating(text: str | None) -> Reading | None:
    """The rating (and the reason given with it) the message gives, or None when it is
    unclear: the conversation then asks once more."""
    rating = parse_rating(text)
    if rating is not None:
        return Reading(rating)
    cleaned = _clean(text or "")
    for pattern in (_LEADING, _TRAILING):
        match = pattern.match(cleaned)
        if match is None:
            continue
        number, out_of, rest = match["number"], match["out_of"], match["rest"]
        number = str(WORDS.get(number, number))
        if not number.isdigit() or out_of is not None and int(out_of) != 5:
            return None  # 4.5, 10/10
        if pattern is _TRAILING and out_of is None and not match["unit"]:
            return None  # a bare number at the end is not clearly a rating
        if _NOT_A_REASON.match(rest) or re.search(r"\d", rest):
            return None  # "1 or 2", "5 minutes late", "3 but would have been 5": unclear
        if not 1 <= int(number) <= 5:
            return None
        return Reading(int(number), _comment(text or "", rest))
    return None


def _comment(original: str, rest: str) -> str:
    """The reason in the victim's own words (their capitals), cut from the message."""
    at = original.lower().replace("\u2019", "'").find(rest)
    words = original[at:at + len(rest)] if at >= 0 else rest
    return words.strip(" \t\n-–—:,.;")[:1000]


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
