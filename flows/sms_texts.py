"""Every text message the desk sends, in one catalog.

Texts are looked up by id and filled with ``render``; nothing else in the service
writes message wording.  Each rendered text stays in the GSM-7 alphabet and within
three SMS segments (tests/sms/test_texts.py renders every entry with the longest
values allowed): a Unicode character would halve the room in each segment, and a
long message arrives in pieces, out of order on some phones.
"""
from __future__ import annotations

import math
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.hours import WeeklyHours, day_groups

LONDON = ZoneInfo("Europe/London")
FROM = "Metropolitan Police Victim Focus Desk"
MAX_SEGMENTS = 3
# The 24-hour helplines the phone line offers (flows/prompts_en.json "helplines")
HELPLINES = "Victim Support 0808 168 9111, National Domestic Abuse Helpline 0808 2000 247"
# The kinds of day in {hours}.  Weekends stand for bank holidays too when they keep the
# same hours (the wording texts have always used); otherwise bank holidays are named.
HOURS_DAYS = {"weekdays": "Mon-Fri", "weekends": "Sat-Sun", "bank_holidays": "bank holidays",
              "weekends_and_bank_holidays": "Sat-Sun"}

TEXTS: dict[str, str] = {
    # --- the rating survey ---
    "survey_invite": (
        f"{FROM}: how did we do when {{officer}} contacted you on {{date}}? "
        "Reply 1 (very poor) to 5 (excellent). Reply STOP to opt out."),
    "survey_reprompt": (
        "Sorry, we could not read that as a rating. Please reply with one number from "
        "1 (very poor) to 5 (excellent), for example 4. Reply STOP to opt out."),
    "survey_gave_up": (
        "Sorry, we still could not read a rating, so we will not ask again. We have passed your "
        "message to the desk, who read texts {hours}. In an emergency call 999."),
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
        "To contact the desk call {desk_number}. In an emergency call 999."),
    "survey_thanks_rated": (
        "Thank you, we have recorded your rating of {rating} and your comment. "
        "To contact the desk call {desk_number}. In an emergency call 999."),
    "survey_thanks_no_comment": (
        "Thank you. We have your rating of {rating}. "
        "To contact the desk call {desk_number}. In an emergency call 999."),
    "survey_already_rated": (
        "You already rated this contact {first}, so we kept your first answer and did not "
        "record {attempted}. To talk to us call {desk_number}."),
    "survey_already_rated_same": (
        "You already rated this contact {first}. Thank you, nothing has changed."),
    "survey_expired": (
        "Sorry, this survey has closed, so we cannot record your answer. Thank you anyway. "
        "To contact the desk call {desk_number}. In an emergency call 999."),
    # --- keywords ---
    "help": (
        f"{FROM}. Call {{desk_number}}, {{hours}}. Reply CALL for a call back, "
        "UPDATE for your latest case update, STOP to opt out. In an emergency call 999. "
        f"Free 24-hour helplines: {HELPLINES}."),
    # an opt-out in the victim's own words ("please stop"): Twilio confirms only its keywords
    "opted_out": (
        "You will get no more texts from the Victim Focus Desk. Reply START to get them again. "
        "In an emergency call 999."),
    # a longer message that mentions stopping: how to, rather than a guess
    "stop_hint": (
        "Reply STOP to stop all texts from us. The desk reads texts {hours}. "
        "In an emergency call 999."),
    # --- the desk inbox: one acknowledgement per conversation; distress at once ---
    "inbox_ack": (
        "Thank you, we have passed your message to the desk, who read texts {hours}. "
        "If you are in danger call 999."),
    "inbox_urgent": (
        "If you are in danger now call 999. Free 24-hour helplines: "
        f"{HELPLINES}. The desk reads texts {{hours}}."),
    "opted_in": (
        f"You will get texts from the {FROM} again. Reply STOP to opt out. "
        "In an emergency call 999."),
    "callback_booked_now": (
        "Thank you. The Victim Focus Desk will call you back as soon as someone is free, "
        "only at times you told us are safe to call. In an emergency call 999."),
    "callback_booked_later": (
        "Thank you. The Victim Focus Desk will call you back, only at times you told us are "
        "safe to call. The earliest is {when}. In an emergency call 999."),
    # CALL again while a call-back is still waiting: the one request is kept (and its place)
    "callback_already_now": (
        "You already have a call back booked. The Victim Focus Desk will call you as soon as "
        "someone is free, only at times you told us are safe to call. In an emergency call 999."),
    "callback_already_later": (
        "You already have a call back booked. The Victim Focus Desk will call you only at times "
        "you told us are safe to call. The earliest is {when}. In an emergency call 999."),
    # The neutral answers: the same words whether or not the number has a case, so a
    # reply tells whoever holds the phone nothing; each fits one segment.
    "callback_unavailable": (
        "We cannot arrange a call back by text to this number. To talk to us call "
        "{desk_number}. In an emergency call 999."),
    "update_unavailable": (
        "We cannot send an update by text to this number. To talk to us call "
        "{desk_number}. In an emergency call 999."),
    # when the database cannot be read: names neither the police nor a case
    "received": "Message received. In an emergency call 999.",
    # --- case updates ---
    "case_update_minimal": (
        f"{FROM}: there is an update on your case. Call us on {{desk_number}} "
        "or reply CALL and we will call you back."),
    "case_update_full": (
        f"{FROM}: update on crime ref {{reference}}: {{message}} "
        "Call {desk_number} or reply CALL for a call back."),
}

# The longest value each placeholder may take; intake validation enforces the same
# limits, and "message" is cut to fit (see render).
PLACEHOLDER_LIMITS = {
    "officer": 60, "date": 10, "desk_number": 16, "rating": 1, "first": 1, "attempted": 1,
    "when": 24, "reference": 30, "message": None, "hours": 80,
}

# fmt: off
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# fmt: on
_PUNCTUATION = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\t": " ",
                "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "œ": "oe", "Œ": "OE"}


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def segments(text: str) -> int:
    """How many SMS parts the text is sent as."""
    if is_gsm7(text):
        units = len(text) + sum(ch in GSM7_EXTENDED for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def to_gsm7(text: str) -> str:
    """Smart quotes and dashes made plain, accents dropped where GSM-7 lacks them."""
    out = []
    for ch in text:
        ch = _PUNCTUATION.get(ch, ch)
        if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in ch):
            out.append(ch)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if c in GSM7_BASIC)
        out.append(plain or "?")
    return "".join(out)


def opening_hours(weekly: WeeklyHours) -> str:
    """``Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00``: the weekly hours in a text."""
    return ", ".join(f"{HOURS_DAYS[days]} {f'{hours[0]:%H:%M}-{hours[1]:%H:%M}' if hours else 'closed'}"
                     for days, hours in day_groups(weekly))


def render(text_id: str, weekly: WeeklyHours = WeeklyHours(), **params) -> str:
    """The catalog text TEXT_ID with its placeholders filled (GSM-7, at most three parts);
    {hours} says WEEKLY, the desk's hours."""
    template = TEXTS[text_id]
    params.setdefault("hours", opening_hours(weekly))
    values = {name: to_gsm7(" ".join(str(value).split())) for name, value in params.items()}
    for name, limit in PLACEHOLDER_LIMITS.items():
        if limit and name in values and len(values[name]) > limit:
            values[name] = values[name][:limit].rstrip()
    if "message" in values:
        # the update text is the only open-ended value: cut it to what fits
        room = 153 * MAX_SEGMENTS - len(template.format(**{**values, "message": ""}))
        message = values["message"]
        units = len(message) + sum(ch in GSM7_EXTENDED for ch in message)
        if units > room:
            while len(message) + sum(ch in GSM7_EXTENDED for ch in message) > room - 3:
                message = message[:-1]
            values["message"] = message.rstrip() + "..."
    return template.format(**values)


def contact_date(moment: datetime) -> str:
    """``Tue 4 Nov``: the day of a contact as the victim would recognise it (London time)."""
    local = moment.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b}"


def callback_when(start: datetime, now: datetime) -> str:
    """``today at 18:00`` / ``tomorrow at 09:00`` / ``Sat 28 Nov at 09:00`` (London)."""
    local, today = start.astimezone(LONDON), now.astimezone(LONDON)
    days = (local.date() - today.date()).days
    day = "today" if days <= 0 else "tomorrow" if days == 1 else contact_date(local)
    return f"{day} at {local:%H:%M}"
