"""How the console writes times for people: British dates (dd/mm/yyyy, the year only
when it is not this year) and lengths of time in words ("2 h 15 min", "3 days")."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from desk.clock import LONDON, london_now


def how_long(span: timedelta) -> str:
    """"45 min", "2 h 15 min", "3 days": exact enough to sort a worklist by eye."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days = minutes // (24 * 60)
    return f"{days} day{'' if days == 1 else 's'}"


def when(value: datetime | None, today_too: bool = True) -> str:
    """A stored time as the desk reads it (Europe/London): 14:05 today (with
    TODAY_TOO false, 23/11 14:05), 23/11 14:05 this year, 23/11/2025 14:05 before."""
    if value is None:
        return "—"
    local, now = value.astimezone(LONDON), london_now()
    if local.date() == now.date() and today_too:
        return f"today {local:%H:%M}"
    if local.year == now.year:
        return f"{local:%d/%m %H:%M}"
    return f"{local:%d/%m/%Y %H:%M}"


_BRITISH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(text: str) -> date:
    """A date as typed: 23/11/2026 (day first, as the pages write it) or 2026-11-23.
    ValueError for anything else."""
    text = text.strip()
    match = _BRITISH.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def parse_moment(text: str) -> datetime:
    """A date and time as typed: 24/12/2026 18:00 (day first) or 2026-12-24T18:00 /
    2026-12-24 18:00; naive (the caller says which zone).  ValueError for anything else."""
    day, _, clock_time = text.strip().replace("T", " ").partition(" ")
    hour, minute = (int(part) for part in clock_time.strip().split(":"))
    return datetime.combine(parse_day(day), time(hour, minute))


def british(day: date) -> str:
    return f"{day:%d/%m/%Y}"
