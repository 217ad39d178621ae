"""Every text message the desk sends, in one catalog, in English and Polish.

Texts are looked up by id and language and filled with ``render``; nothing else in the
service writes message wording.

- Discreet: a text may be read on a lock screen by the wrong person, so none names the
  police, a crime or "victim"; texts the desk starts open with ``OPENING`` ("Message
  from the desk you contacted").  Case details go in a text only when the case says
  so (services/case_updates.py); every case update and the leaflet end with 999.
- Short: every text fits one segment (160 GSM-7 characters) with typical values
  (tests/sms/test_text_segments.py), except the invitation, which carries the survey
  link and fits two with the longest officer name the API accepts; with the longest
  values allowed none exceeds three.
- Polish is written without diacritics, which keeps it in GSM-7 (a text with one
  Unicode character is sent as UCS-2: 70 characters a segment, not 160).
- A value (an officer's name, an update) is made GSM-7 where that keeps its meaning
  (curly quotes, dashes, accents); one that cannot be (Cyrillic, an emoji) is sent as
  it is, the text as UCS-2 with its segment count, never with "?" for a character.
"""
from __future__ import annotations

import math
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.hours import WeeklyHours, day_groups

LONDON = ZoneInfo("Europe/London")
LANGUAGES = ("en", "pl")
OPENING = {"en": "Message from the desk you contacted",
           "pl": "Wiadomosc z biura, z ktorym sie kontaktowano"}
MAX_SEGMENTS = 3
# The 24-hour helplines the phone line offers (flows/prompts_en.json "helplines"), by
# number only: a helpline's name on a lock screen would say what the text is about.
HELPLINES = {"en": "Free 24-hour support: 0808 168 9111 or 0808 2000 247.",
             "pl": "Wsparcie 24h: 0808 168 9111 lub 0808 2000 247."}
# The kinds of day in {hours}.  Weekends stand for bank holidays too when they keep the
# same hours (the wording texts have always used); otherwise bank holidays are named.
HOURS_DAYS = {"weekdays": "Mon-Fri", "weekends": "Sat-Sun", "bank_holidays": "bank holidays",
              "weekends_and_bank_holidays": "Sat-Sun"}
HOURS_DAYS_PL = {"weekdays": "pon.-pt.", "weekends": "sob.-niedz.", "bank_holidays": "swieta",
                 "weekends_and_bank_holidays": "sob.-niedz."}
CLOSED = {"en": "closed", "pl": "nieczynne"}
EMERGENCY = {"en": "In an emergency call 999.", "pl": "W naglym wypadku prosze dzwonic pod 999."}

_EN, _PL = OPENING["en"], OPENING["pl"]
_999, _999_PL = EMERGENCY["en"], EMERGENCY["pl"]

TEXTS: dict[str, str] = {
    # --- the rating survey ---
    "survey_invite": (
        f"{_EN}: how did {{officer}} do on {{date}}? Reply 1 (very poor) to 5 (excellent) "
        "or use {link} Reply STOP to opt out."),
    "survey_reprompt": (
        "Sorry, we could not read that as a rating. Please reply with one number from "
        "1 (very poor) to 5 (excellent), for example 4. Reply STOP to opt out."),
    "survey_gave_up": (
        "Sorry, we still could not read a rating, so we will not ask again. The desk will read "
        f"your message. {_999}"),
    "survey_comment_prompt": (
        "Thank you, we have recorded your rating of {rating}. If you would like to tell us why, "
        "reply with a short comment. You do not need to reply."),
    # the same, naming the contact, when the number has several surveys open
    "survey_comment_prompt_for": (
        "Thank you, we have recorded your rating of {rating} for {officer} on {date}. If you would "
        "like to tell us why, reply with a short comment. You do not need to reply."),
    "survey_thanks_rated_for": (
        "Thank you, we have recorded your rating of {rating} and your comment for {officer} on {date}. "
        "In an emergency call 999."),
    "survey_thanks": (
        "Thank you for your comment. It helps us improve the service. "
        f"To contact us call {{desk_number}}. {_999}"),
    "survey_thanks_rated": (
        "Thank you, we have recorded your rating of {rating} and your comment. "
        f"To contact us call {{desk_number}}. {_999}"),
    "survey_thanks_no_comment": (
        f"Thank you. We have your rating of {{rating}}. To contact us call {{desk_number}}. {_999}"),
    "survey_already_rated": (
        "You already rated this contact {first}, so we kept your first answer and did not "
        "record {attempted}. To talk to us call {desk_number}."),
    "survey_already_rated_same": (
        "You already rated this contact {first}. Thank you, nothing has changed."),
    "survey_expired": (
        "Sorry, this survey has closed, so we cannot record your answer. Thank you anyway. "
        f"To contact us call {{desk_number}}. {_999}"),
    # --- the forum question, once per victim, after the rating (and the comment step).
    # "a group where people share their experience": nothing on a lock screen says what
    # the group is for; the web page and the organisers say the rest ---
    "survey_forum_ask": (
        "Thank you, we have your rating of {rating}. Would you like to hear about a group where people "
        "share their experience to help us improve? Reply YES or NO."),
    "forum_yes": (
        f"Thank you. The group's organisers may contact you. To change your mind, reply FORUM STOP. {_999}"),
    "forum_no": f"Thank you, we will not ask again. To contact us call {{desk_number}}. {_999}",
    # FORUM STOP: the consent is withdrawn; the texts about the victim's case go on
    "forum_withdrawn": f"You will not be contacted about the group. Other texts from us are not affected. {_999}",
    # --- keywords ---
    "help": (
        "Call {desk_number}, {hours}. Reply CALL for a call back, UPDATE for news, "
        f"STOP to opt out. {_999} {HELPLINES['en']}"),
    # an opt-out in the victim's own words ("please stop"): Twilio confirms only its keywords
    "opted_out": f"You will get no more texts from us. Reply START to get them again. {_999}",
    # a longer message that mentions stopping: how to, rather than a guess
    "stop_hint": f"Reply STOP to stop all texts from us. We read texts {{hours}}. {_999}",
    # --- the desk inbox: one acknowledgement per conversation; distress at once ---
    "inbox_ack": (
        "Thank you, we have passed your message to the desk, who read texts {hours}. "
        "If you are in danger call 999."),
    "inbox_urgent": (
        f"If you are in danger now call 999. {HELPLINES['en']} We read texts {{hours}}."),
    "opted_in": f"You will get texts from us again. Reply STOP to opt out. {_999}",
    "callback_booked_now": (
        "Thank you. We will call you back as soon as someone is free, only at times you told us "
        f"are safe. {_999}"),
    "callback_booked_later": (
        "Thank you. We will call you back, only at times you told us are safe. "
        f"The earliest is {{when}}. {_999}"),
    # CALL again while a call-back is still waiting: the one request is kept (and its place)
    "callback_already_now": (
        "You already have a call back booked. We will call as soon as someone is free, "
        f"only at times you told us are safe. {_999}"),
    "callback_already_later": (
        "You already have a call back booked. We will call only at times you told us are safe. "
        f"The earliest is {{when}}. {_999}"),
    # The neutral answers: the same words whether or not the number has a case, so a
    # reply tells whoever holds the phone nothing; each fits one segment.
    "callback_unavailable": (
        f"We cannot arrange a call back by text to this number. To talk to us call {{desk_number}}. {_999}"),
    "update_unavailable": (
        f"We cannot send an update by text to this number. To talk to us call {{desk_number}}. {_999}"),
    # when the database cannot be read: names neither the police nor a case
    "received": f"Message received. {_999}",
    # --- case updates ---
    "case_update_minimal": (
        f"{_EN}: there is news for you. Call {{desk_number}} or reply CALL for a call back. {_999}"),
    "case_update_full": (
        f"{_EN}: ref {{reference}}: {{message}} Call {{desk_number}} or reply CALL for a call back. {_999}"),
    # --- the leaflet a caller asked for on the phone ---
    "leaflet": f"{_EN}: information and where to get support: {{url}} {_999}",
}

# Polish, in the polite impersonal form ("prosze" + infinitive), without diacritics.
TEXTS_PL: dict[str, str] = {
    "survey_invite": (
        f"{_PL}: prosimy ocenic kontakt z {{officer}} ({{date}}): prosze odpisac 1 (zle) do 5 (bardzo dobrze) "
        "lub {link} Rezygnacja: STOP."),
    "survey_reprompt": (
        "Niestety nie udalo sie odczytac oceny. Prosze odpisac jedna cyfre od 1 (bardzo zle) "
        "do 5 (bardzo dobrze), np. 4. Aby zrezygnowac, prosze odpisac STOP."),
    "survey_gave_up": (
        "Niestety nadal nie udalo sie odczytac oceny, wiec nie bedziemy pytac ponownie. "
        f"Wiadomosc przeczyta nasz zespol. {_999_PL}"),
    "survey_comment_prompt": (
        "Dziekujemy, zapisalismy ocene {rating}. Mozna krotko odpisac, dlaczego. "
        "Odpowiedz nie jest konieczna."),
    "survey_comment_prompt_for": (
        "Dziekujemy, zapisalismy ocene {rating} dla {officer} ({date}). Mozna krotko odpisac, "
        "dlaczego. Odpowiedz nie jest konieczna."),
    "survey_thanks_rated_for": (
        f"Dziekujemy, zapisalismy ocene {{rating}} i komentarz dla {{officer}} ({{date}}). {_999_PL}"),
    "survey_thanks_rated": (
        f"Dziekujemy, zapisalismy ocene {{rating}} i komentarz. Kontakt: {{desk_number}}. {_999_PL}"),
    "survey_thanks": (
        f"Dziekujemy za komentarz. Pomaga nam poprawic nasza prace. Kontakt: {{desk_number}}. {_999_PL}"),
    "survey_thanks_no_comment": (
        f"Dziekujemy. Zapisalismy ocene {{rating}}. Kontakt: {{desk_number}}. {_999_PL}"),
    "survey_already_rated": (
        "Ten kontakt zostal juz oceniony na {first}, wiec zachowalismy pierwsza ocene i nie "
        "zapisalismy {attempted}. Kontakt: {desk_number}."),
    "survey_already_rated_same": (
        "Ten kontakt zostal juz oceniony na {first}. Dziekujemy, nic sie nie zmienilo."),
    "survey_expired": (
        "Niestety ankieta jest juz zamknieta i nie mozemy zapisac odpowiedzi. Dziekujemy. "
        f"Kontakt: {{desk_number}}. {_999_PL}"),
    "survey_forum_ask": (
        "Dziekujemy za ocene {rating}. Czy chca Panstwo uslyszec o grupie, gdzie ludzie dziela sie "
        "doswiadczeniem, by poprawic nasza prace? Prosze odpisac TAK lub NIE."),
    "forum_yes": (
        "Dziekujemy. Organizatorzy grupy moga sie z Panstwem skontaktowac. Aby zrezygnowac, prosze odpisac "
        f"FORUM STOP. {_999_PL}"),
    "forum_no": f"Dziekujemy, nie bedziemy pytac ponownie. Kontakt: {{desk_number}}. {_999_PL}",
    "forum_withdrawn": (
        f"Organizatorzy grupy nie beda sie z Panstwem kontaktowac. Inne SMS-y od nas bez zmian. {_999_PL}"),
    "help": (
        "Tel. {desk_number}, {hours}. Odpisac: CALL - oddzwonimy, UPDATE - informacje, STOP - koniec SMS. "
        f"W naglym wypadku: 999. {HELPLINES['pl']}"),
    "opted_out": f"Nie bedziemy juz wysylac SMS-ow. Aby je wznowic, prosze odpisac START. {_999_PL}",
    "stop_hint": f"Aby nie dostawac SMS-ow, prosze odpisac STOP. Czytamy SMS-y: {{hours}}. {_999_PL}",
    "inbox_ack": (
        "Dziekujemy, wiadomosc przekazalismy. Czytamy SMS-y: {hours}. "
        "W niebezpieczenstwie prosze dzwonic pod 999."),
    "inbox_urgent": (
        f"W niebezpieczenstwie prosze dzwonic pod 999. {HELPLINES['pl']} Czytamy SMS-y: {{hours}}."),
    "opted_in": f"SMS-y od nas beda znow wysylane. Aby zrezygnowac, prosze odpisac STOP. {_999_PL}",
    "callback_booked_now": (
        "Dziekujemy. Oddzwonimy, gdy tylko ktos bedzie wolny, tylko w bezpiecznych godzinach. "
        f"{_999_PL}"),
    "callback_booked_later": (
        f"Dziekujemy. Oddzwonimy tylko w bezpiecznych godzinach, najwczesniej {{when}}. {_999_PL}"),
    "callback_already_now": (
        "Oddzwonienie jest juz zamowione. Zadzwonimy, gdy tylko ktos bedzie wolny, tylko w "
        f"bezpiecznych godzinach. {_999_PL}"),
    "callback_already_later": (
        "Oddzwonienie jest juz zamowione. Zadzwonimy tylko w bezpiecznych godzinach, najwczesniej "
        f"{{when}}. {_999_PL}"),
    "callback_unavailable": (
        f"Nie mozemy umowic oddzwonienia SMS-em na ten numer. Prosze dzwonic pod {{desk_number}}. {_999_PL}"),
    "update_unavailable": (
        f"Nie mozemy wyslac informacji SMS-em na ten numer. Prosze dzwonic pod {{desk_number}}. {_999_PL}"),
    "received": f"Wiadomosc otrzymana. {_999_PL}",
    "case_update_minimal": (
        f"{_PL}: sa nowe informacje. Prosze dzwonic pod {{desk_number}} lub odpisac CALL, oddzwonimy. "
        "W naglym wypadku: 999."),
    "case_update_full": (
        f"{_PL}: sprawa {{reference}}: {{message}} Prosze dzwonic pod {{desk_number}} lub odpisac CALL, "
        "oddzwonimy. W naglym wypadku: 999."),
    "leaflet": f"{_PL}: informacje i gdzie szukac wsparcia: {{url}} W naglym wypadku: 999.",
}
CATALOG = {"en": TEXTS, "pl": TEXTS_PL}

# The longest value each placeholder may take; intake validation enforces the same
# limits, "message" is cut to fit (see render), and a link or URL is never cut.
PLACEHOLDER_LIMITS = {
    "officer": 60, "date": 14, "desk_number": 16, "rating": 1, "first": 1, "attempted": 1,
    "when": 26, "reference": 30, "message": None, "hours": 80, "link": None, "url": None,
}
UNCUT = {"link", "url"}

# fmt: off
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# fmt: on
_PUNCTUATION = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\t": " ",
                "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "œ": "oe", "Œ": "OE"}
PL_DAYS = ("pon.", "wt.", "sr.", "czw.", "pt.", "sob.", "niedz.")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def units(text: str) -> int:
    """The text's length in its encoding's units: GSM-7 septets (an extended character
    takes two), else UCS-2 code units (a character outside the BMP, an emoji, takes two)."""
    if is_gsm7(text):
        return len(text) + sum(ch in GSM7_EXTENDED for ch in text)
    return len(text.encode("utf-16-le")) // 2


def encoding(text: str) -> str:
    """``GSM-7`` or ``UCS-2``: how the text goes over the air."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def segments(text: str) -> int:
    """How many SMS parts the text is sent as (153 GSM-7 or 67 UCS-2 units a part once
    it needs more than one: the rest of each part carries the joining header)."""
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    length = units(text)
    return 1 if length <= single else math.ceil(length / multi)


def _gsm7_char(ch: str) -> str | None:
    ch = _PUNCTUATION.get(ch, ch)
    if is_gsm7(ch):
        return ch
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if c in GSM7_BASIC)
    return plain or None


def to_gsm7(text: str) -> str:
    """Smart quotes and dashes made plain, accents dropped where GSM-7 lacks them; a
    character with no GSM-7 likeness (Cyrillic, an emoji) is kept, which makes the text
    UCS-2, rather than shown as "?"."""
    return "".join(_gsm7_char(ch) or ch for ch in text)


def opening_hours(weekly: WeeklyHours, language: str = "en") -> str:
    """``Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00``: the weekly hours in a text."""
    days_named = HOURS_DAYS_PL if language == "pl" else HOURS_DAYS
    return ", ".join(f"{days_named[days]} {f'{hours[0]:%H:%M}-{hours[1]:%H:%M}' if hours else CLOSED[language]}"
                     for days, hours in day_groups(weekly))


def template(text_id: str, language: str = "en") -> str:
    """The catalog text in LANGUAGE (English where a Polish one is missing)."""
    return CATALOG.get(language, TEXTS).get(text_id) or TEXTS[text_id]


def render(text_id: str, weekly: WeeklyHours = WeeklyHours(), language: str = "en", **params) -> str:
    """The catalog text TEXT_ID in LANGUAGE with its placeholders filled (at most three
    parts); {hours} says WEEKLY, the desk's hours."""
    chosen = template(text_id, language)
    params.setdefault("hours", opening_hours(weekly, language))
    values = {name: (str(value).strip() if name in UNCUT else to_gsm7(" ".join(str(value).split())))
              for name, value in params.items()}
    for name, limit in PLACEHOLDER_LIMITS.items():
        if limit and name in values and len(values[name]) > limit:
            values[name] = values[name][:limit].rstrip()
    body = chosen.format(**values)
    if "message" in values and segments(body) > MAX_SEGMENTS:
        # the update text is the only open-ended value: cut it to what fits
        message = values["message"]
        rest = chosen.format(**{**values, "message": ""})
        per_part = 153 if is_gsm7(body) else 67
        message = message[:max(0, per_part * MAX_SEGMENTS - units(rest) - 3)]
        while message and segments(chosen.format(**{**values, "message": message.rstrip() + "..."})) > MAX_SEGMENTS:
            message = message[:-1]
        body = chosen.format(**{**values, "message": message.rstrip() + "..."})
    return body


def contact_date(moment: datetime, language: str = "en") -> str:
    """``Tue 4 Nov`` / ``wt. 4.11``: the day of a contact as the victim would
    recognise it (London time)."""
    local = moment.astimezone(LONDON)
    if language == "pl":
        return f"{PL_DAYS[local.weekday()]} {local.day}.{local.month:02d}"
    return f"{local:%a} {local.day} {local:%b}"


def callback_when(start: datetime, now: datetime, language: str = "en") -> str:
    """``today at 18:00`` / ``tomorrow at 09:00`` / ``Sat 28 Nov at 09:00`` (London);
    in Polish ``dzis o 18:00`` / ``jutro o 09:00`` / ``sob. 28.11 o 09:00``."""
    local, today = start.astimezone(LONDON), now.astimezone(LONDON)
    days = (local.date() - today.date()).days
    if language == "pl":
        day = "dzis" if days <= 0 else "jutro" if days == 1 else contact_date(local, "pl")
        return f"{day} o {local:%H:%M}"
    day = "today" if days <= 0 else "tomorrow" if days == 1 else contact_date(local)
    return f"{day} at {local:%H:%M}"
