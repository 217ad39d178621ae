"""The prompt catalog: every sentence the line speaks, per language, in
flows/prompts_<language>.json.  A catalog entry is a string, or
{"text": ..., "language": ...} for a sentence spoken in another language (the
"press 8 for Polish" line is said in Polish).  ``{name}`` placeholders are filled
from the call (see engine._Params); flows.validate checks both catalogs agree.
"""
from __future__ import annotations

import json
import string
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flows.model import Say

LANGUAGES = ("en", "pl")
DEFAULT_LANGUAGE = "en"
_HERE = Path(__file__).resolve().parent

# The words this module puts into sentences about dates and times.
WHEN = ("when_today", "when_tomorrow", "when_day", "when_date")
WEEKDAYS = tuple(f"weekday_{i}" for i in range(7))  # Monday first, as datetime.weekday()
MONTHS = tuple(f"month_{i}" for i in range(1, 13))
PROMPTS = (*WHEN, *WEEKDAYS, *MONTHS)

# Said by the edge (ivr/) without the flow: the leaflet's text message
# (ivr/effects.py) and the fallback document (ivr/fallback.py).
EDGE_PROMPTS = ("leaflet_sms", "fallback_sorry", "fallback_connecting", "fallback_try_later")


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, dict]:
    raw = json.loads((_HERE / f"prompts_{language}.json").read_text(encoding="utf-8"))
    return {key: value if isinstance(value, dict) else {"text": value} for key, value in raw.items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def say(key: str, language: str, params=None) -> Say:
    entry = catalog(language)[key]
    text = entry["text"]
    if placeholders(text):
        text = text.format_map(params if params is not None else {})
    return Say(key=key, text=" ".join(text.split()), language=entry.get("language", language))


def text(key: str, language: str, params=None) -> str:
    return say(key, language, params).text


def clock_time(moment: datetime, language: str) -> str:
    """8 am / 4:30 pm in English, 8:00 / 16:30 in Polish."""
    if language == "pl":
        return f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def calendar_date(moment: datetime, language: str) -> str:
    """21 November (en) / 21 listopada (pl)."""
    return f"{moment.day} {text(MONTHS[moment.month - 1], language)}"


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
    return text(later, language, {"weekday": weekday, "day": opening_at.day,
                                  "month": text(MONTHS[opening_at.month - 1], language), "time": time_text})
