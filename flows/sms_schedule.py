"""When a text may go out, and when a victim may be called: times of day in London.

``"21:00-08:00"`` is a window that crosses midnight; ``"09:00-12:00"`` one that
doesn't.  Times are wall-clock times in Europe/London, so a window keeps its meaning
across the clock changes.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def parse_window(window: str) -> tuple[time, time]:
    """``"21:00-08:00"`` -> (21:00, 08:00); ValueError when malformed."""
    start, _, end = window.strip().partition("-")
    try:
        return _hhmm(start), _hhmm(end)
    except ValueError:
        raise ValueError(f"{window!r} is not a time window like 21:00-08:00") from None


def _hhmm(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if hours == "24" and minutes == "00":
        return time(23, 59, 59)
    return time(int(hours), int(minutes))


def in_window(moment: datetime, window: str) -> bool:
    start, end = parse_window(window)
    local = moment.astimezone(LONDON).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _at(day, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON)


def next_send_time(candidate: datetime, quiet_hours: str | None) -> datetime:
    """CANDIDATE, or the end of the quiet hours it falls in (aware, London)."""
    local = candidate.astimezone(LONDON)
    if not quiet_hours or not in_window(local, quiet_hours):
        return local
    _start, end = parse_window(quiet_hours)
    ends_today = _at(local.date(), end)
    return ends_today if ends_today > local else _at(local.date() + timedelta(days=1), end)


def next_call_window(windows: list[str], now: datetime) -> tuple[datetime, datetime] | None:
    """The first safe-to-call window still open or yet to open (start, end), or None."""
    local = now.astimezone(LONDON)
    best: tuple[datetime, datetime] | None = None
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        for window in windows:
            start, end = parse_window(window)
            if start >= end:
                continue  # overnight call windows aren't offered by the case system
            opens, closes = _at(day, start), _at(day, end)
            if closes <= local:
                continue
            opens = max(opens, local)
            if best is None or opens < best[0]:
                best = (opens, closes)
        if best:
            return best
    return None
