"""What a spoken answer means: Twilio's SpeechResult ("one", "update please", "jeden",
"call me back") mapped to the key it stands for, and spoken numbers to digits.

Matching is on whole words after lower-casing and stripping punctuation; the first
key whose word or phrase appears wins, so more specific phrases are listed first.
"""
from __future__ import annotations

import re
import unicodedata

# Number words for single keys, in every language the line speaks.
NUMBER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"0": ("zero", "oh", "nought"), "1": ("one",), "2": ("two", "to", "too"),
           "3": ("three",), "4": ("four", "for"), "5": ("five",), "6": ("six",),
           "7": ("seven",), "8": ("eight",), "9": ("nine",)},
    "pl": {"0": ("zero",), "1": ("jeden", "jedynka"), "2": ("dwa", "dwójka"),
           "3": ("trzy", "trójka"), "4": ("cztery", "czwórka"), "5": ("pięć", "piec"),
           "6": ("sześć", "szesc"), "7": ("siedem",), "8": ("osiem", "ósemka"),
           "9": ("dziewięć", "dziewiec")},
}

# Words that mean a menu's keys, per menu.  Both languages are always accepted: a
# caller may answer in either, whatever the prompts were spoken in.
VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "main_menu": {
        "1": ("case update", "update", "my case", "case", "reference", "aktualizacja", "sprawa",
              "sprawy", "informacja o sprawie"),
        "2": ("speak to someone", "someone", "person", "desk", "agent", "operator", "talk",
              "speak", "konsultant", "rozmowa", "porozmawiać", "człowiek"),
        "3": ("call back", "callback", "call me", "ring me", "oddzwonienie", "oddzwonić",
              "zadzwońcie"),
        # not "help" / "pomoc": those are distress words (DISTRESS below), not the rights menu
        "4": ("rights", "victims code", "victims' code", "support", "leaflet",
              "prawa", "wsparcie", "ulotka"),
        "8": ("polish", "polski", "po polsku", "english", "angielski", "po angielsku"),
        "9": ("repeat", "again", "menu", "powtórz", "jeszcze raz"),
    },
    # Refusals are listed first: for consent questions "no, please don't" must not
    # be read as yes because it contains "please".
    "yes_no": {
        "2": ("no", "nope", "not", "don't", "do not", "nie"),
        "1": ("yes", "yeah", "yep", "please", "correct", "ok", "okay", "tak", "proszę",
              "zgadza się", "można"),
    },
    "safe": {
        "2": ("not safe", "unsafe", "isn't safe", "no", "not", "don't", "nie", "niebezpiecznie",
              "nie jest bezpiecznie"),
        "1": ("safe", "yes", "yeah", "ok", "okay", "tak", "bezpiecznie", "jest bezpiecznie"),
    },
    "callback_number": {
        "1": ("yes", "this number", "this one", "same", "tak", "ten numer"),
        "2": ("different", "another", "other", "new number", "inny", "inny numer"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "callback_existing": {
        "1": ("keep", "keep it", "yes", "zostaw", "zachowaj", "tak"),
        "2": ("change", "change it", "zmień", "zmiana"),
        "3": ("cancel", "cancel it", "anuluj", "odwołaj"),
    },
    "callback_unsafe": {
        "1": ("another number", "different number", "other number", "inny numer"),
        "2": ("different time", "another time", "later", "inna pora", "inny czas", "później"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "callback_safer_window": {
        "2": ("morning", "rano", "przed południem"),
        "3": ("afternoon", "po południu", "popołudnie"),
        "4": ("evening", "wieczorem", "wieczór"),
    },
    "callback_window": {
        "1": ("any time", "anytime", "whenever", "kiedykolwiek", "obojętnie"),
        "2": ("morning", "rano", "przed południem"),
        "3": ("afternoon", "po południu", "popołudnie"),
        "4": ("evening", "wieczorem", "wieczór"),
    },
    "confirm": {
        "1": ("yes", "confirm", "correct", "right", "tak", "potwierdzam", "zgadza się"),
        "2": ("no", "change", "start again", "wrong", "nie", "zmień", "od nowa"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "case_retry": {
        "1": ("try again", "again", "retry", "jeszcze raz", "ponownie", "spróbuj"),
        "2": ("speak to someone", "someone", "desk", "callback", "call back", "person",
              "konsultant", "oddzwonienie", "rozmowa"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "desk_or_menu": {
        "2": ("speak to someone", "someone", "desk", "callback", "call back", "person",
              "konsultant", "oddzwonienie", "rozmowa"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "case_after": {
        "1": ("again", "hear it again", "repeat", "jeszcze raz", "powtórz", "ponownie"),
        "2": ("speak to someone", "someone", "desk", "callback", "call back", "person",
              "konsultant", "oddzwonienie", "rozmowa"),
        "9": ("menu", "main menu", "główne menu"),
    },
    "case_private": {
        "1": ("ready", "yes", "go ahead", "tak", "gotowe", "gotowy", "gotowa", "można"),
    },
    "callback_offer": {
        "1": ("yes", "callback", "call back", "call me", "please", "tak", "oddzwonienie",
              "oddzwońcie"),
        "9": ("menu", "main menu", "główne menu"),
    },
    # the rights and support, said inside a Gather: back to the menu
    "rights": {
        "9": ("menu", "main menu", "skip", "back", "główne menu", "menu główne", "pomiń", "wróć"),
    },
    "leaflet": {
        "1": ("yes", "text", "send", "leaflet", "please", "tak", "sms", "wyślij", "ulotka"),
        "9": ("no", "menu", "main menu", "nie", "główne menu"),
    },
}

# The main menu's words, and 7 for the 24-hour helplines (offered when the desk is closed)
VOCABULARIES["closed_menu"] = {
    **VOCABULARIES["main_menu"],
    "7": ("helplines", "helpline", "24 hour", "24 hours", "twenty four hours", "infolinia", "infolinie",
          "infolinii", "całodobowe"),
}

# Words of danger or distress, in both languages.  Said at ANY menu they win over the
# menu's own phrases (flows.validate keeps the two apart): the caller hears the 999
# notice again and goes to the desk, ahead of other callers (Flow.on_distress).
# Lower case, whole words, matched like the vocabularies.
DISTRESS: tuple[str, ...] = (
    "help", "danger", "emergency", "police", "scared", "frightened", "afraid", "hurting me", "hurt me",
    "hitting me", "kill me", "attacking me",
    "he is here", "she is here", "he's here", "she's here", "they are here",
    "pomocy", "pomoc", "pomóż", "pomóżcie", "ratunku", "policja", "policję",
    # Polish is inflected: "jestem w niebezpieczeństwie", "czuję się zagrożona"
    "niebezpieczeństwo", "niebezpieczeństwie", "zagrożenie", "zagrożeniu", "zagrożona",
    "zagrożony", "krzywdzi mnie", "bije mnie", "zabije mnie",
    "mnie krzywdzi", "mnie bije", "mnie zabije",  # the word order is free: "on mnie bije"
    "boję się", "boje sie", "on tu jest", "ona tu jest", "oni tu są", "on jest tutaj", "ona jest tutaj",
)


def distressed(text: str) -> bool:
    """Does a spoken answer hold a word of danger or distress?"""
    said = normalise(text)
    return bool(said) and any(_contains(said, normalise(w)) for w in DISTRESS)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").lower()
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def _contains(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


def choose(text: str, vocabulary: str | None, allowed: set[str] | frozenset[str]) -> str | None:
    """The key a spoken answer stands for, if it is one of ``allowed``."""
    said = normalise(text)
    if not said:
        return None
    if said.isdigit() and said in allowed:
        return said
    for key, words in (VOCABULARIES.get(vocabulary or "") or {}).items():
        if key in allowed and any(_contains(said, normalise(w)) for w in words):
            return key
    for per_language in NUMBER_WORDS.values():
        for key, words in per_language.items():
            if key in allowed and any(_contains(said, w) for w in words):
                return key
    for token in said.split():
        if token.isdigit() and len(token) == 1 and token in allowed:
            return token
    return None


def hints(vocabulary: str | None) -> tuple[str, ...]:
    """Phrases to pass to Twilio as speech hints."""
    words: list[str] = []
    for phrases in (VOCABULARIES.get(vocabulary or "") or {}).values():
        words.extend(p for p in phrases if " " in p or len(p) > 3)
    return tuple(dict.fromkeys(words))


_DIGIT_WORDS = {w: d for per_language in NUMBER_WORDS.values() for d, ws in per_language.items()
                for w in ws if w not in ("to", "too", "for")}
_DIGIT_WORDS.update({"double": "double", "treble": "treble", "triple": "treble"})


def spoken_number(text: str) -> str | None:
    """Digits in a spoken number: "five two oh 1234 slash 26" -> "520123426".

    Handles "double five" and "triple two".  Returns None when any word is not part
    of a number (so a sentence is not read as a reference by accident)."""
    said = normalise(text).replace("/", " ")
    digits, repeat = "", 1
    filler = {"slash", "dash", "hyphen", "and", "then", "hash", "pound", "ukośnik", "i"}
    for token in said.split():
        if token.isdigit():
            digits += token[0] * (repeat - 1) + token
            repeat = 1
        elif token in _DIGIT_WORDS:
            word = _DIGIT_WORDS[token]
            if word == "double":
                repeat = 2
            elif word == "treble":
                repeat = 3
            else:
                digits += word * repeat
                repeat = 1
        elif token in filler:
            continue
        else:
            return None
    return digits or None
