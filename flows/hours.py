"""When the desk is open: the weekly hours (``WeeklyHours``: weekdays, weekends and bank
holidays in England & Wales, substitute days included; by default Mon–Fri 08:00–20:00,
otherwise 08:00–16:00, Europe/London), and dates overridden (closed, or special hours).
Opening time is inclusive, closing time exclusive.  Everything that states the hours
to a victim (prompts, texts, the web page) is worded from ``WeeklyHours``.

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

# A date's hours: (open, close) or None when closed all day.
Span = tuple[time, time]
Hours = Span | None
Overrides = dict[date, Hours]

_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
CLOSED = "closed"


@dataclass(frozen=True)
class WeeklyHours:
    """The desk's usual hours; a bank holiday keeps its own hours whatever the weekday."""
    weekdays: Span = (time(8, 0), time(20, 0))
    weekends: Hours = (time(8, 0), time(16, 0))
    bank_holidays: Hours = (time(8, 0), time(16, 0))


# The times a caller can ask to be called back in.  Kept as data rather than derived
# from the weekly hours (a split at 12:00 and at the weekend closing time means
# nothing once weekends close): their wording is cut to the weekday hours, so it never
# names a time the desk is shut, and callbacks are placed only while the desk is open.
CALLBACK_WINDOWS: dict[str, Span] = {
    "morning": (time(8, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(16, 0)),
    "evening": (time(16, 0), time(20, 0)),
}


def span_text(span: Span) -> str:
    """(08:00, 12:00) -> "08:00-12:00", as a callback's window is stored."""
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def parse_hours(value: object) -> Hours:
    """"08:00-14:00" -> (08:00, 14:00); "closed" -> None.  ValueError says what is wrong."""
    text = str(value).strip().lower() if value is not None else CLOSED
    if text == CLOSED:
        return None
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{value!r} is not 'closed' or like 08:00-14:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = time(h1, m1), (time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2))
    if opens >= closes:
        raise ValueError(f"{value!r} opens after it closes")
    return opens, closes


def day_groups(weekly: WeeklyHours) -> list[tuple[str, Hours]]:
    """The kinds of day as the hours are told: weekdays, then weekends and bank holidays
    together when they keep the same hours, else each on its own."""
    if weekly.weekends == weekly.bank_holidays:
        return [("weekdays", weekly.weekdays), ("weekends_and_bank_holidays", weekly.weekends)]
    return [("weekdays", weekly.weekdays), ("weekends", weekly.weekends), ("bank_holidays", weekly.bank_holidays)]


def window_within(window: Span, weekly: WeeklyHours) -> Span:
    """A callback window as far as it falls in the weekday hours (all of it if none does)."""
    opens, closes = max(window[0], weekly.weekdays[0]), min(window[1], weekly.weekdays[1])
    return (opens, closes) if opens < closes else window


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
        try:
            result[day] = parse_hours(value)
        except ValueError as exc:
            raise ValueError(f"opening-hours override {key}: {exc}") from None
    return result


def hours_on(day: date, overrides: Overrides | None = None, weekly: WeeklyHours = WeeklyHours()) -> Hours:
    """The desk's hours on a London calendar day."""
    if overrides and day in overrides:
        return overrides[day]
    if is_bank_holiday(day):
        return weekly.bank_holidays
    if day.weekday() >= 5:
        return weekly.weekends
    return weekly.weekdays


def is_open(now: datetime, overrides: Overrides | None = None, weekly: WeeklyHours = WeeklyHours()) -> bool:
    local = _london(now)
    hours = hours_on(local.date(), overrides, weekly)
    return hours is not None and hours[0] <= local.time() < hours[1]


def closing_time(now: datetime, overrides: Overrides | None = None,
                 weekly: WeeklyHours = WeeklyHours()) -> datetime | None:
    """When the desk closes today, if it is open now (aware, Europe/London)."""
    if not is_open(now, overrides, weekly):
        return None
    local = _london(now)
    return datetime.combine(local.date(), hours_on(local.date(), overrides, weekly)[1], tzinfo=LONDON)


@dataclass(frozen=True)
class Opening:
    at: datetime  # aware, Europe/London
    days_ahead: int  # 0 today, 1 tomorrow, ...


def next_opening(now: datetime, overrides: Overrides | None = None, horizon_days: int = 31,
                 weekly: WeeklyHours = WeeklyHours()) -> Opening | None:
    """The next time the desk opens after ``now`` (None if closed for the whole horizon).
    When the desk is open now, this is the next opening after today's."""
    local = _london(now)
    for ahead in range(horizon_days + 1):
        day = local.date() + timedelta(days=ahead)
        hours = hours_on(day, overrides, weekly)
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
