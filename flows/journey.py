"""My Met Service: the points of a victim's journey where we ask for feedback, and the
question each one asks, by text, on the web and by email, in English and (polite)
Polish.  Pure data: services/surveys.py and sms/web.py fill it in.

The rating is the same everywhere (1 to 5, with an optional comment); only the
question names what the victim is rating.  ``visit`` is what every survey meant
before stages existed, so its text invitation stays the catalog's ``survey_invite``.
"""
from __future__ import annotations

from flows.sms_texts import OPENING, to_gsm7

STAGES = ("report", "visit", "investigation_update", "charge_decision", "court_outcome", "case_closed")
DEFAULT_STAGE = "visit"
LANGUAGES = ("en", "pl")
CHANNELS = ("sms", "email")

# What the supervisors' pages call each stage.
STAGE_LABELS = {
    "report": "Reporting the crime",
    "visit": "Officer visit or contact",
    "investigation_update": "Investigation update",
    "charge_decision": "Charging decision",
    "court_outcome": "Court outcome",
    "case_closed": "Case closed",
}

# The question in a text, with {officer} and {date} (as the visit's text always had).  A
# text shows on a lock screen, so none names the police, a crime, a charge or a court
# (flows/sms_texts.py); Polish asks in the polite impersonal form (no guess at
# their gender) and is written without diacritics, which keeps it in GSM-7.
QUESTIONS = {
    "en": {
        "report": "how did we do when you first contacted us on {date}?",
        "visit": "how did {officer} do on {date}?",
        "investigation_update": "how did {officer} do with your update on {date}?",
        "charge_decision": "how did {officer} do telling you of a decision on {date}?",
        "court_outcome": "how did {officer} do telling you the outcome on {date}?",
        "case_closed": "how did {officer} do telling you it was closed on {date}?",
    },
    "pl": {
        "report": "prosimy ocenic nasza obsluge przy pierwszym kontakcie ({date})",
        "visit": "prosimy ocenic kontakt z {officer} ({date})",
        "investigation_update": "prosimy ocenic informacje od {officer} ({date})",
        "charge_decision": "prosimy ocenic kontakt z {officer} o decyzji ({date})",
        "court_outcome": "prosimy ocenic informacje o wyniku od {officer} ({date})",
        "case_closed": "prosimy ocenic kontakt z {officer} na koniec ({date})",
    },
}

# On the web page and in the email: no officer and no date, since whoever holds the
# link or opens the mail sees them (the page shows nothing about the case).
WEB_QUESTIONS = {
    "en": {
        "report": "How did we do when you reported the crime?",
        "visit": "How did we do when an officer visited or contacted you?",
        "investigation_update": "How did we do when we updated you on the investigation?",
        "charge_decision": "How did we do when we told you about the charging decision?",
        "court_outcome": "How did we do when we told you about the court outcome?",
        "case_closed": "How did we do when we told you your case was closed?",
    },
    "pl": {
        "report": "Jak oceniają Państwo naszą obsługę przy zgłoszeniu przestępstwa?",
        "visit": "Jak oceniają Państwo wizytę lub kontakt funkcjonariusza?",
        "investigation_update": "Jak oceniają Państwo informację o postępach śledztwa?",
        "charge_decision": "Jak oceniają Państwo przekazanie informacji o decyzji w sprawie zarzutów?",
        "court_outcome": "Jak oceniają Państwo przekazanie informacji o wyniku postępowania sądowego?",
        "case_closed": "Jak oceniają Państwo przekazanie informacji o zamknięciu sprawy?",
    },
}

# The text invitation for a stage other than a visit (a visit's is sms_texts' survey_invite):
# the same opening, scale and signed link.
SMS_INVITE = {
    "en": OPENING["en"] + ": {question} Reply 1 (very poor) to 5 (excellent) or use {link} Reply STOP to opt out.",
    "pl": OPENING["pl"] + ": {question}: prosze odpisac 1 (zle) do 5 (bardzo dobrze) lub {link} Rezygnacja: STOP.",
}

SCALE = {
    "en": {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"},
    "pl": {1: "Bardzo źle", 2: "Źle", 3: "Przeciętnie", 4: "Dobrze", 5: "Bardzo dobrze"},
}

# The email: the subject and sender are what a lock screen shows, so neither says
# police, crime or victim; the body has no crime reference or case detail.
EMAIL_SUBJECT = {"en": "A quick question about your recent contact with us",
                 "pl": "Krótkie pytanie o Państwa niedawny kontakt z nami"}
EMAIL_BODY = {
    "en": ("Hello,\n\n{question}\n\nYou can answer in under a minute, from 1 (very poor) to 5 (excellent), "
           "with a comment if you wish:\n{link}\n\nThe link works until {expires}. You do not need to answer.\n\n"
           "In an emergency call 999.\n\n"
           "To stop these emails, open this link: {unsubscribe}\n"),
    "pl": ("Dzień dobry,\n\n{question}\n\nOdpowiedź zajmie mniej niż minutę, w skali od 1 (bardzo źle) do 5 "
           "(bardzo dobrze), z komentarzem, jeśli Państwo zechcą:\n{link}\n\nLink działa do {expires}. "
           "Odpowiedź nie jest obowiązkowa.\n\nW nagłym wypadku prosimy dzwonić pod 999.\n\n"
           "Aby nie otrzymywać więcej tych wiadomości, prosimy otworzyć ten link: {unsubscribe}\n"),
}


def question(stage: str, language: str, officer: str, date: str) -> str:
    return QUESTIONS[language if language in QUESTIONS else "en"][stage].format(officer=officer, date=date)


def web_question(stage: str, language: str) -> str:
    return WEB_QUESTIONS[language if language in WEB_QUESTIONS else "en"][stage]


def sms_invite(stage: str, language: str, officer: str, date: str, link: str) -> str | None:
    """The text invitation for STAGE, or None where the catalog's survey_invite is it
    (a visit, in either language)."""
    if stage == DEFAULT_STAGE:
        return None
    language = language if language in SMS_INVITE else "en"
    return SMS_INVITE[language].format(question=question(stage, language, to_gsm7(officer), date), link=link)


def email(stage: str, language: str, *, link: str, expires: str, unsubscribe: str) -> tuple[str, str]:
    """(subject, plain-text body) of the email invitation."""
    language = language if language in EMAIL_BODY else "en"
    body = EMAIL_BODY[language].format(question=web_question(stage, language), link=link,
                                       expires=expires, unsubscribe=unsubscribe)
    return EMAIL_SUBJECT[language], body
