"""When the desk is open: Mon–Fri 08:00–20:00, Sat–Sun 08:00–16:00 Europe/London;
bank holidays in England & Wales (substitute days included) keep weekend hours;
dates can be overridden (closed, or special hours).  Opening time is inclusive,
closing time exclusive.

Pure: every function takes the time as an argument.  Hours are wall-clock times in
London, so on the DST change days 08:00 is still 08:00 local (07:00 or 08:00 UTC).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

WEEKDAY_HOURS = (time(8, 0), time(20, 0))
WEEKEND_HOURS = (time(8, 0), time(16, 0))

# A date's hours: (open, close) or None when closed all day.
Hours = tuple[time, time] | None
Overrides = dict[date, Hours]

_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England and Wales share one list of bank holidays; "observed" substitute days
    # (e.g. Boxing Day on a Sunday moved to Tuesday) are included by the package.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def parse_overrides(raw: dict | None) -> Overrides:
    """{"2026-12-24": "08:00-14:00", "2026-12-31": "closed"} -> {date: hours}.

    Raises ValueError naming the bad entry, so a typo fails at start-up rather than
    on the day.
    """
    result: Overrides = {}
    for key, value in (raw or {}).items():
        try:
            day = date.fromisoformat(str(key))
        except ValueError:
            raise ValueError(f"opening-hours override {key!r}: not a date like 2026-12-24") from None
        if value is None or str(value).strip().lower() == "closed":
            result[day] = None
            continue
        match = _SPAN.match(str(value).strip())
        if not match:
            raise ValueError(f"opening-hours override {key}: {value!r} is not 'closed' or like 08:00-14:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        opens, closes = time(h1, m1), (time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2))
        if opens >= closes:
            raise ValueError(f"opening-hours override {key}: opens after it closes")
        result[day] = (opens, closes)
    return result


def hours_on(day: date, overrides: Overrides | None = None) -> Hours:
    """The desk's hours on a London calendar day."""
    if overrides and day in overrides:
        return overrides[day]
    if day.weekday() >= 5 or is_bank_holiday(day):
        return WEEKEND_HOURS
    return WEEKDAY_HOURS


def is_open(now: datetime, overrides: Overrides | None = None) -> bool:
    local = _london(now)
    hours = hours_on(local.date(), overrides)
    return hours is not None and hours[0] <= local.time() < hours[1]


@dataclass(frozen=True)
class Opening:
    at: datetime  # aware, Europe/London
    days_ahead: int  # 0 today, 1 tomorrow, ...


def next_opening(now: datetime, overrides: Overrides | None = None, horizon_days: int = 31) -> Opening | None:
    """The next time the desk opens after ``now`` (None if closed for the whole horizon).
    When the desk is open now, this is the next opening after today's."""
    local = _london(now)
    for ahead in range(horizon_days + 1):
        day = local.date() + timedelta(days=ahead)
        hours = hours_on(day, overrides)
        if hours is None:
            continue
        opens = datetime.combine(day, hours[0], tzinfo=LONDON)
        if opens > local:
            return Opening(opens, ahead)
    return None


def _london(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("the desk's hours need an aware datetime")
    return now.astimezone(LONDON)
