"""Numbers written out as words where the speech engine would read the digits with
the wrong ending.  Polish numerals agree with what they count and take its case: "od 8
do 20" read as cardinals gives "od osiem do dwadzieścia"; a caller expects "od ósmej do
dwudziestej", "siódmego grudnia", "dwie minuty".  English needs only ordinals for dates
("7th December"); the engine reads "8 am" and "5 minutes" rightly as they are.
"""
from __future__ import annotations

from datetime import time

_UNITS = ("zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć",
          "dziesięć", "jedenaście", "dwanaście", "trzynaście", "czternaście", "piętnaście", "szesnaście",
          "siedemnaście", "osiemnaście", "dziewiętnaście")
_TENS = {2: "dwadzieścia", 3: "trzydzieści", 4: "czterdzieści", 5: "pięćdziesiąt", 6: "sześćdziesiąt",
         7: "siedemdziesiąt", 8: "osiemdziesiąt", 9: "dziewięćdziesiąt"}
# Ordinal stems; the ending follows (-ej feminine genitive/locative, -ego masculine
# genitive, -e neuter nominative): "drugi" + "ej" = "drugiej", "ósm" + "ego" = "ósmego".
_ORDINAL = ("", "pierwsz", "drugi", "trzeci", "czwart", "piąt", "szóst", "siódm", "ósm", "dziewiąt",
            "dziesiąt", "jedenast", "dwunast", "trzynast", "czternast", "piętnast", "szesnast", "siedemnast",
            "osiemnast", "dziewiętnast")
_ORDINAL_TENS = {2: "dwudziest", 3: "trzydziest", 4: "czterdziest", 5: "pięćdziesiąt"}
MIDNIGHT = time(23, 59, 59, 999999)  # "open until midnight" (flows.hours.parse_hours)


def pl_cardinal(n: int, feminine: bool = False) -> str:
    """0-99 as Polish words: 21 "dwadzieścia jeden"; FEMININE: "jedna", "dwie"."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is out of range")
    if n < 20:
        word = _UNITS[n]
    else:
        tens, unit = divmod(n, 10)
        word = _TENS[tens] + (f" {_UNITS[unit]}" if unit else "")
    if feminine:
        if n == 1:
            return "jedna"
        if word.endswith("dwa"):
            word = word[:-3] + "dwie"
    return word


def pl_ordinal(n: int, ending: str) -> str:
    """1-59 as a Polish ordinal with ENDING ("ej", "ego", "e"): 21 + "ej" = "dwudziestej
    pierwszej" (both words agree)."""
    if not 1 <= n < 60:
        raise ValueError(f"{n} is out of range")
    if n < 20:
        return _ORDINAL[n] + ending
    tens, unit = divmod(n, 10)
    head = _ORDINAL_TENS[tens] + ending
    return head + (f" {_ORDINAL[unit]}{ending}" if unit else "")


def pl_hour(moment: time) -> str:
    """A time of day as said after "o", "od" or "do": "ósmej", "szesnastej trzydzieści",
    "dziewiątej zero pięć"; midnight (opening or closing) "północy"."""
    if moment == MIDNIGHT or (moment.hour == 0 and moment.minute == 0):
        return "północy"
    if moment.hour == 0:  # 00:30: "zero trzydzieści" is how a clock is read out
        hour = "zero"
    else:
        hour = pl_ordinal(moment.hour, "ej")
    if moment.minute == 0:
        return hour
    minute = pl_cardinal(moment.minute)
    return f"{hour} {'zero ' if moment.minute < 10 else ''}{minute}"


def pl_day_of_month(day: int) -> str:
    """"7 grudnia" is read "siódmego grudnia": the day as a masculine genitive ordinal."""
    if not 1 <= day <= 31:
        raise ValueError(f"{day} is not a day of a month")
    return pl_ordinal(day, "ego")


def pl_minutes(n: int) -> str:
    """A number of minutes, nominative: "jedna minuta", "dwie minuty", "pięć minut",
    "dwadzieścia dwie minuty"."""
    if n < 1:
        raise ValueError("at least one minute")
    if n == 1:
        noun = "minuta"
    elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        noun = "minuty"
    else:
        noun = "minut"
    return f"{pl_cardinal(n, feminine=True)} {noun}"


def pl_place(n: int) -> str:
    """A place in the queue, as "Miejsce w kolejce: drugie.": a neuter ordinal (digits
    from 60 on, which no queue of the desk's reaches)."""
    return pl_ordinal(n, "e") if 1 <= n < 60 else str(n)


def en_day_of_month(day: int) -> str:
    """7 -> "7th", 22 -> "22nd": read as an ordinal, not "seven December"."""
    if not 1 <= day <= 31:
        raise ValueError(f"{day} is not a day of a month")
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def en_minutes(n: int) -> str:
    if n < 1:
        raise ValueError("at least one minute")
    return "1 minute" if n == 1 else f"{n} minutes"
