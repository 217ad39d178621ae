"""Desk-hours overrides kept in the database, set by admins in the console.  The
phone line merges them over IVR_HOURS_OVERRIDES (ivr/settings.hours_overrides)."""
from __future__ import annotations

import logging
import time
from datetime import date

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from flows import hours
from models.staff import HoursOverride

log = logging.getLogger(__name__)


# Every voice webhook needs the overrides; they change a few times a year.  Each web
# process keeps what it read for this long (the process that saves a change forgets
# at once), so an admin's change reaches the whole phone line within it.
CACHE_SECONDS = 30
_CACHE_KEY = "desk_hours_overrides"


def stored_overrides() -> dict[str, str]:
    """{"2026-12-24": "08:00-14:00", ...}, as read at most CACHE_SECONDS ago."""
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    value = _read_overrides()
    if value is not None:
        current_app.extensions[_CACHE_KEY] = (time.monotonic() + CACHE_SECONDS, value)
    return value or {}


def forget_cached_overrides() -> None:
    current_app.extensions.pop(_CACHE_KEY, None)


def _read_overrides() -> dict[str, str] | None:
    """Read on a connection of its own, so a database hiccup leaves the caller's flow on
    the configured overrides instead of failing the webhook's session (None: not read,
    so not cached either)."""
    try:
        with Session(current_app.extensions["db_engine"]) as db:
            return {row.day: row.hours for row in db.exec(select(HoursOverride)).all()}
    except SQLAlchemyError as exc:  # e.g. not migrated yet, or the database is away
        log.warning("could not read the desk-hours overrides (%s); using IVR_HOURS_OVERRIDES only",
                    type(exc).__name__)
        return None


def normalise(day: str, value: str) -> tuple[str, str]:
    """Check one override as the phone line will read it; ValueError says what is wrong."""
    day, value = day.strip(), value.strip().lower()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ValueError("give the date as YYYY-MM-DD") from None
    hours.parse_overrides({day: value})
    return day, "closed" if value == "closed" else value
