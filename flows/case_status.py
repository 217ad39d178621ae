"""A case's status as the caller hears it.  The case system sends a short English
word or two ("under investigation", "nfa"); read as it stands it means little in
English and nothing inside a Polish sentence.  Each status the case system uses is a
plain sentence in each language here; any other is read as a safe generic sentence
(never the raw text), and the desk is told which one to add.

README ("Cases from the case system") lists the statuses; a test holds this table to
that list and to the closed statuses (CASE_CLOSED_STATUSES).
"""
from __future__ import annotations

import re

PHRASES: dict[str, dict[str, str]] = {
    "open": {"en": "Your case is open.",
             "pl": "Sprawa jest w toku."},
    "under investigation": {"en": "The police are investigating your case.",
                            "pl": "Policja prowadzi w sprawie dochodzenie."},
    "suspect arrested": {"en": "Someone has been arrested.",
                         "pl": "W sprawie zatrzymano podejrzanego."},
    "charged": {"en": "Someone has been charged.",
                "pl": "W sprawie postawiono zarzuty."},
    "awaiting court": {"en": "Your case is waiting for a court hearing.",
                       "pl": "Sprawa czeka na rozprawę w sądzie."},
    "closed": {"en": "Your case is closed.",
               "pl": "Sprawa jest zamknięta."},
    "nfa": {"en": "Your case is closed: the police are taking no further action.",
            "pl": "Sprawa jest zamknięta: policja nie podejmie dalszych działań."},
    "finalised": {"en": "Your case is finished.",
                  "pl": "Sprawa jest zakończona."},
}
# Other spellings the case system may send for the same status.
ALIASES = {"no further action": "nfa", "finalized": "finalised", "investigating": "under investigation",
           "arrested": "suspect arrested"}
UNKNOWN = {"en": "Someone at the desk can tell you where your case stands.",
           "pl": "Pracownik biura może powiedzieć, na jakim etapie jest sprawa."}


def normalise(status: str | None) -> str:
    """"Under_Investigation " -> "under investigation" (as compared with the table)."""
    name = " ".join(re.sub(r"[_\-]+", " ", (status or "").lower()).split())
    return ALIASES.get(name, name)


def known(status: str | None) -> bool:
    return normalise(status) in PHRASES


def phrase(status: str | None, language: str) -> str:
    """The sentence said for STATUS in LANGUAGE (English for an unknown language)."""
    lang = language if language in UNKNOWN else "en"
    return PHRASES.get(normalise(status), UNKNOWN)[lang]
