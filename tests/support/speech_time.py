"""How long a caller listens: seconds of speech worked out from the <Say> elements a
call played (the emulator keeps each one's SSML), at a constant speaking rate per
language.  A word is a run of letters or a number; inside <say-as interpret-as="digits">
every digit is a word ("999" is said "nine nine nine").  The speech engine is not
reachable from the tests, so the rates are estimates: they make figures comparable
from one wording to the next, not exact.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from emulator.caller import Said

# Words a second as read by the desk's voices (about 150 a minute in English; Polish
# words are longer, so fewer of them a second).
WORDS_PER_SECOND = {"en": 2.5, "pl": 2.2}
LANGUAGES = {"en-GB": "en", "pl-PL": "pl"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def ssml_words(ssml: str) -> int:
    """Words said for one <Say> element."""
    root = ET.fromstring(ssml)

    def walk(element: ET.Element) -> int:
        if element.tag == "say-as" and element.get("interpret-as") == "digits":
            n = sum(ch.isdigit() for ch in "".join(element.itertext()))
        else:
            n = count_words(element.text or "") + sum(walk(child) for child in element)
        return n + (count_words(element.tail or "") if element is not root else 0)

    return walk(root)


def seconds(said: Said) -> float:
    language = LANGUAGES.get(said.language, "en")
    return ssml_words(said.ssml) / WORDS_PER_SECOND[language] if said.ssml else \
        count_words(said.text) / WORDS_PER_SECOND[language]


def total(saids: list[Said]) -> float:
    return sum(seconds(said) for said in saids)


def until(saids: list[Said], pattern: str) -> float:
    """Seconds of speech from the first of SAIDS to the end of the sentence in which
    PATTERN (a regular expression) is first heard.  AssertionError if it never is."""
    spent = 0.0
    for said in saids:
        match = re.search(pattern, said.text)
        if match is None:
            spent += seconds(said)
            continue
        end = _SENTENCE_END.search(said.text, match.end())
        heard = said.text[:end.end() if end else len(said.text)]
        whole = count_words(said.text)
        return spent + seconds(said) * (count_words(heard) / whole if whole else 1)
    raise AssertionError(f"{pattern!r} is never said in: {' '.join(s.text for s in saids)}")
