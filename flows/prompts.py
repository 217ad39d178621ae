"""The prompt catalog: every sentence the line speaks, per language, in
flows/prompts_<language>.json.  A catalog entry is a string, or
{"text": ..., "language": ...} for a sentence spoken in another language (the
"press 8 for Polish" line is said in Polish).  ``{name}`` placeholders are filled
from the call (see engine._Params); flows.validate checks both catalogs agree.
"""
from __future__ import annotations

import json
import string
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path

from flows import number_words, spoken
from flows.hours import CALLBACK_WINDOWS, WeeklyHours, day_groups, window_within
from flows.model import Say

LANGUAGES = ("en", "pl")
DEFAULT_LANGUAGE = "en"
_HERE = Path(__file__).resolve().parent

# The words this module puts into sentences about dates and times.
WHEN = ("when_today", "when_tomorrow", "when_day", "when_date")
WEEKDAYS = tuple(f"weekday_{i}" for i in range(7))  # Monday first, as datetime.weekday()
MONTHS = tuple(f"month_{i}" for i in range(1, 13))
# The pieces the opening hours are said in ("hours" says {opening_hours}): the kinds of
# day (flows.hours.day_groups), open or closed on them, and how two or three are joined.
HOURS_DAYS = {name: f"hours_days_{name}"
              for name in ("weekdays", "weekends", "bank_holidays", "weekends_and_bank_holidays")}
HOURS_OPEN, HOURS_CLOSED, HOURS_TWO, HOURS_THREE = "hours_open", "hours_closed", "hours_two", "hours_three"
PROMPTS = (*WHEN, *WEEKDAYS, *MONTHS, *HOURS_DAYS.values(), HOURS_OPEN, HOURS_CLOSED, HOURS_TWO, HOURS_THREE)
# Values the catalog's own pieces take (filled here, not by the engine).
PARAMS = ("time", "weekday", "day", "month", "days", "opens", "closes", "first", "second", "third")
# The callback windows' times, as the catalog names them: morning_from, morning_to, ...
WINDOW_TIMES = tuple(f"{name}_{end}" for name in CALLBACK_WINDOWS for end in ("from", "to"))

# Said by the edge (ivr/) without the flow: the fallback document (ivr/fallback.py).
# (The leaflet's text message is a text: flows/sms_texts.py.)
EDGE_PROMPTS = ("fallback_sorry", "fallback_connecting", "fallback_try_later")


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, dict]:
    raw = json.loads((_HERE / f"prompts_{language}.json").read_text(encoding="utf-8"))
    return {key: value if isinstance(value, dict) else {"text": value} for key, value in raw.items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def phrase(key: str, language: str, params=None) -> spoken.Phrase:
    """The entry with its values filled in, as parts to be read (flows.spoken)."""
    return spoken.fill(catalog(language)[key]["text"], params if params is not None else {})


def say(key: str, language: str, params=None) -> Say:
    parts = phrase(key, language, params)
    return Say(key=key, text=parts.plain, language=catalog(language)[key].get("language", language),
               parts=tuple(parts))


def text(key: str, language: str, params=None) -> str:
    """The entry as plain words (a text message, a transcript)."""
    return say(key, language, params).text


def clock_time(moment: datetime, language: str) -> str:
    """8 am / 4:30 pm in English; in Polish the words after "o" ("ósmej", "szesnastej
    trzydzieści"): read as digits, "o 8:00" gets the wrong case."""
    if language == "pl":
        return number_words.pl_hour(moment.time())
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def hour_of_day(moment: time, language: str) -> str:
    """A time of day in a sentence about hours: 8 am / 4:30 pm in English; in Polish the
    words after "od" and "do" ("od ósmej do dwudziestej")."""
    if language == "pl":
        return number_words.pl_hour(moment)
    if moment == number_words.MIDNIGHT:  # open until midnight (24:00)
        return "midnight"
    return clock_time(moment, language)


def opening_hours(weekly: WeeklyHours, language: str) -> str:
    """The weekly hours as said in "We are open {opening_hours}."."""
    parts = []
    for days, hours in day_groups(weekly):
        days_text = text(HOURS_DAYS[days], language)
        if hours is None:
            parts.append(text(HOURS_CLOSED, language, {"days": days_text}))
        else:
            parts.append(text(HOURS_OPEN, language, {"days": days_text, "opens": hour_of_day(hours[0], language),
                                                     "closes": hour_of_day(hours[1], language)}))
    first, second, *rest = parts
    if rest:
        return text(HOURS_THREE, language, {"first": first, "second": second, "third": rest[0]})
    return text(HOURS_TWO, language, {"first": first, "second": second})


def window_times(weekly: WeeklyHours, language: str) -> dict[str, str]:
    """{"morning_from": "8 am", "morning_to": "12 noon", ...} for the callback windows."""
    times = {}
    for name, window in CALLBACK_WINDOWS.items():
        opens, closes = window_within(window, weekly)
        times[f"{name}_from"], times[f"{name}_to"] = hour_of_day(opens, language), hour_of_day(closes, language)
    return times


def day_of_month(day: int, language: str) -> str:
    """As read before the month: "21st" (en), "dwudziestego pierwszego" (pl)."""
    return number_words.pl_day_of_month(day) if language == "pl" else number_words.en_day_of_month(day)


def calendar_date(moment: datetime, language: str) -> str:
    """21st November (en) / dwudziestego pierwszego listopada (pl)."""
    return f"{day_of_month(moment.day, language)} {text(MONTHS[moment.month - 1], language)}"


def minutes(n: int, language: str) -> str:
    """A number of minutes as said in a sentence: "5 minutes" / "pięć minut"."""
    return number_words.pl_minutes(n) if language == "pl" else number_words.en_minutes(n)


def place(n: int, language: str) -> str:
    """A place in the queue: "2" (en, "number 2") / "drugie" (pl, "Miejsce w kolejce: drugie")."""
    return number_words.pl_place(n) if language == "pl" else str(n)


def when(opening_at: datetime, days_ahead: int, language: str) -> str:
    """When the desk next opens, as said in a sentence: "tomorrow at 8 am"."""
    today, tomorrow, this_week, later = WHEN
    time_text = clock_time(opening_at, language)
    if days_ahead == 0:
        return text(today, language, {"time": time_text})
    if days_ahead == 1:
        return text(tomorrow, language, {"time": time_text})
    weekday = text(WEEKDAYS[opening_at.weekday()], language)
    if days_ahead < 7:
        return text(this_week, language, {"weekday": weekday, "time": time_text})
    return text(later, language, {"weekday": weekday, "day": day_of_month(opening_at.day, language),
                                  "month": text(MONTHS[opening_at.month - 1], language), "time": time_text})
