"""London days in SQL, on SQLite and PostgreSQL alike.

Times are stored in UTC.  PostgreSQL converts with its own time-zone database
(``timezone('Europe/London', col)``).  SQLite has none, so the range asked about is
cut at its daylight-saving changes (at most two a year) and each piece is shifted by
its own fixed offset: a CASE with a handful of branches, cheap on a million rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, Integer, case, cast, func
from sqlmodel import Session

from desk.clock import LONDON


@dataclass(frozen=True)
class DayRange:
    """London days first..last inclusive, and the UTC instants that bound them."""
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_day(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def runs(days: list[date]) -> list[DayRange]:
    """Consecutive days as ranges: [1, 2, 3, 7] -> [1..3, 7..7]."""
    found: list[DayRange] = []
    for day in sorted(days):
        if found and found[-1].last + timedelta(days=1) == day:
            found[-1] = DayRange(found[-1].first, day)
        else:
            found.append(DayRange(day, day))
    return found


def start_of_day(day: date) -> datetime:
    """The UTC instant a London day begins."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _offset_hours(moment: datetime) -> int:
    return int(moment.astimezone(LONDON).utcoffset().total_seconds() // 3600)


def offset_segments(start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """[(until, offset hours)] covering [start, end); the last piece has until None.
    Changes happen on the hour, so an hourly step within a day that changes finds them."""
    segments: list[tuple[datetime | None, int]] = []
    current = _offset_hours(start)
    day = start.replace(minute=0, second=0, microsecond=0)
    while day < end:
        next_day = day + timedelta(days=1)
        if _offset_hours(next_day) != current:
            hour = day
            while _offset_hours(hour) == current:
                hour += timedelta(hours=1)
            segments.append((hour, current))
            current = _offset_hours(hour)
        day = next_day
    segments.append((None, current))
    return segments


def _sqlite_shift(column, start: datetime, end: datetime):
    segments = offset_segments(start, end)
    if len(segments) == 1:
        return f"{segments[0][1]:+d} hours"
    whens = [(column < until, f"{hours:+d} hours") for until, hours in segments[:-1]]
    return case(*whens, else_=f"{segments[-1][1]:+d} hours")


def day_of(db: Session, column, start: datetime, end: datetime):
    """SQL: the London date of COLUMN (for rows with COLUMN in [start, end))."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Europe/London", column), Date)
    return func.date(column, _sqlite_shift(column, start, end))


def clock_of(db: Session, column, start: datetime, end: datetime):
    """SQL: the London wall-clock time of COLUMN as "HH:MM"."""
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/London", column), "HH24:MI")
    return func.strftime("%H:%M", column, _sqlite_shift(column, start, end))


def as_date(value) -> date:
    """A day as the database returns it (a date on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def week_start(day: date) -> date:
    """The Monday of DAY's ISO week."""
    return day - timedelta(days=day.weekday())


def quarter_of(db: Session, column, start: datetime, end: datetime):
    """SQL: the London quarter-hour of the day of COLUMN, 0 (00:00-00:15) to 95.  On
    SQLite by arithmetic on julianday (a third of the cost of formatting each row's
    time as text, which matters for a year of calls); a hair of a millisecond is added
    so a time exactly on a quarter never rounds down into the one before."""
    if db.get_bind().dialect.name == "postgresql":
        local = func.timezone("Europe/London", column)
        return cast(func.extract("hour", local) * 4 + func.floor(func.extract("minute", local) / 15), Integer)
    segments = offset_segments(start, end)
    if len(segments) == 1:
        shift = segments[0][1] / 24.0
    else:
        shift = case(*[(column < until, hours / 24.0) for until, hours in segments[:-1]],
                     else_=segments[-1][1] / 24.0)
    return cast((func.julianday(column) - 0.5 + shift + 1e-8) * 96, Integer) % 96
