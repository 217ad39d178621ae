"""The one place the service asks the time, so tests and `flask call --at` can set it.

The bound settings (``app.config`` in the web app) may hold a callable ``CLOCK``
returning an aware datetime; without one it is the real time.  Desk hours and quiet hours are reckoned in Europe/London.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from desk import settings

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """Aware UTC."""
    clock = settings.current().get("CLOCK") if settings.is_bound() else None
    return clock().astimezone(UTC) if clock else datetime.now(UTC)


def london_now() -> datetime:
    return now().astimezone(LONDON)


class FixedClock:
    """A clock for tests and the terminal emulator: starts at a given time, moves when told."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=LONDON)
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current = self.current + timedelta(**delta)
