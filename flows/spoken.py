"""How a sentence is to be read aloud: plain words, and the numbers and foreign names
in it kept as data, so the edge (ivr/voices.py) can tell the speech engine how to read
each one (SSML) instead of leaving it to guess.  "press 55" must be read "five five",
not "fifty-five"; a phone number digit by digit, in groups; "Victim Support" in a Polish
sentence as English.

The catalog (flows/prompts_*.json) marks them inline:

    [digits:999]               read digit by digit ("nine nine nine")
    [phone:0808 168 9111]      a phone number: digit by digit, a pause between the groups
    [en:Victim Support]        words in another language (en or pl) than the sentence

Values filled into a sentence are words (str, never read as markup), or a ``Phrase``
(a sentence already marked up: a phone number, another prompt).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

# kinds of part
TEXT, DIGITS, PHONE, FOREIGN = "text", "digits", "phone", "foreign"
LANGUAGES = ("en", "pl")
MARKUP = re.compile(r"\[(digits|phone|en|pl):([^\[\]]*)\]")
_DIGITS = re.compile(r"\d+")
_PHONE = re.compile(r"\+?[\d ]+")


@dataclass(frozen=True)
class Part:
    """A piece of a sentence: ``kind`` TEXT (words), DIGITS (a number read digit by
    digit), PHONE (``value`` holds the groups, space-separated, "+" first for a number
    with its country code) or FOREIGN (``language`` says which)."""
    kind: str
    value: str
    language: str | None = None

    @property
    def plain(self) -> str:
        """As written in a transcript: phone numbers digit by digit, in groups."""
        if self.kind == PHONE:
            groups = self.value.split()
            lead = ""
            if groups and groups[0] == "+":
                lead, groups = "plus ", groups[1:]
            return lead + ", ".join(" ".join(group) for group in groups)
        return self.value


class Phrase(tuple):
    """A sentence as parts; filled into another sentence as it stands."""

    @property
    def plain(self) -> str:
        return " ".join("".join(part.plain for part in self).split())


def text(value: str) -> Phrase:
    return Phrase((Part(TEXT, value),))


def digits(value: str) -> Part:
    if not _DIGITS.fullmatch(value):
        raise ValueError(f"{value!r} is not digits")
    return Part(DIGITS, value)


def phone(groups: list[str] | tuple[str, ...], international: bool = False) -> Part:
    """A phone number said in GROUPS of digits ("07911", "123", "456"); INTERNATIONAL:
    "plus" and the country code first."""
    if not groups or not all(_DIGITS.fullmatch(group) for group in groups):
        raise ValueError(f"{groups!r} are not groups of digits")
    return Part(PHONE, " ".join((["+"] if international else []) + list(groups)))


def foreign(language: str, value: str) -> Part:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return Part(FOREIGN, value, language)


def parse(markup: str) -> list[Part]:
    """Catalog text with inline markup -> parts.  ValueError names bad markup."""
    parts: list[Part] = []
    at = 0
    for match in MARKUP.finditer(markup):
        parts.append(Part(TEXT, markup[at:match.start()]))
        kind, value = match.groups()
        if kind == "digits":
            parts.append(digits(value.strip()))
        elif kind == "phone":
            if not _PHONE.fullmatch(value.strip()):
                raise ValueError(f"[phone:{value}] is not a phone number in groups")
            value = value.strip()
            parts.append(phone(value.lstrip("+").split(), international=value.startswith("+")))
        else:
            parts.append(foreign(kind, value.strip()))
        at = match.end()
    rest = markup[at:]
    if "[" in rest or "]" in rest or any("[" in p.value or "]" in p.value for p in parts if p.kind == TEXT):
        raise ValueError(f"unknown markup in {markup!r}")
    parts.append(Part(TEXT, rest))
    return parts


def fill(template: str, values) -> Phrase:
    """TEMPLATE (catalog text: markup and {name} placeholders) filled from VALUES, a
    mapping asked only for the names the template uses."""
    parts: list[Part] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        parts.extend(parse(literal))
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"{{{name}}}: no format specs or conversions in the catalog")
        value = values[name]
        if isinstance(value, Phrase):
            parts.extend(value)
        else:
            parts.append(Part(TEXT, str(value)))
    return tidy(parts)


def tidy(parts) -> Phrase:
    """Adjacent words joined, runs of white space made one space, the ends trimmed."""
    merged: list[Part] = []
    for part in parts:
        if part.kind == TEXT:
            value = re.sub(r"\s+", " ", part.value)
            if merged and merged[-1].kind == TEXT:
                merged[-1] = Part(TEXT, merged[-1].value + value)
                continue
            part = Part(TEXT, value)
        merged.append(part)
    if merged and merged[0].kind == TEXT:
        merged[0] = Part(TEXT, merged[0].value.lstrip())
    if merged and merged[-1].kind == TEXT:
        merged[-1] = Part(TEXT, merged[-1].value.rstrip())
    return Phrase(p for p in merged if p.kind != TEXT or p.value)
