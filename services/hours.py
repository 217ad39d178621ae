"""The desk's hours as the phone line, the callbacks and the texts apply them: the
weekly hours (DESK_HOURS_* settings, as flows.hours.WeeklyHours) with closures and
special hours by date, from
IVR_HOURS_OVERRIDES and, winning for the same date, the overrides admins set in the
console (kept in the database)."""
from __future__ import annotations

import logging
import time
from datetime import date

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from desk import settings
from flows import hours
from flows.model import Settings
from models import db as database
from models.staff import HoursOverride
from services import announcements

log = logging.getLogger(__name__)


# Every voice webhook needs the overrides; they change a few times a year.  Each web
# process keeps what it read for this long (the process that saves a change forgets
# at once), so an admin's change reaches the whole phone line within it.
CACHE_SECONDS = 30
# database URL -> (expires, {day: (hours, reason)})
_cache: dict[str, tuple[float, dict[str, tuple[str, str | None]]]] = {}


def hours_overrides() -> hours.Overrides:
    """Closures and special hours by date: the settings', then the console's on top."""
    return hours.parse_overrides({**settings.current()["IVR_HOURS_OVERRIDES"], **stored_overrides()})


def weekly_hours() -> hours.WeeklyHours:
    """The desk's usual hours, as configured (checked at start-up)."""
    config = settings.current()
    return hours.WeeklyHours(weekdays=hours.parse_hours(config["DESK_HOURS_WEEKDAYS"]),
                             weekends=hours.parse_hours(config["DESK_HOURS_WEEKENDS"]),
                             bank_holidays=hours.parse_hours(config["DESK_HOURS_BANK_HOLIDAYS"]))


def flow_settings() -> Settings:
    """What the call flow needs to know of the settings and the hours, now."""
    config = settings.current()
    return Settings(hours_overrides=hours_overrides(), weekly_hours=weekly_hours(),
                    queue_max_wait_seconds=config["IVR_QUEUE_MAX_WAIT_SECONDS"],
                    queue_max_size=config["IVR_QUEUE_MAX_SIZE"],
                    position_every_polls=config["IVR_POSITION_EVERY_POLLS"],
                    queue_closing_grace_seconds=config["IVR_QUEUE_CLOSING_GRACE_MINUTES"] * 60,
                    closure_reasons=closure_reasons(), announcement=announcements.current())


def stored_overrides() -> dict[str, str]:
    """{"2026-12-24": "08:00-14:00", ...}, as read at most CACHE_SECONDS ago."""
    return {day: value for day, (value, _reason, _reason_pl) in _stored().items()}


def closure_reasons() -> dict[date, dict[str, str]]:
    """What callers are told a date's closure or special hours are for, by language
    ({"en": "Christmas Day", "pl": "Boże Narodzenie"}; no "pl": Polish callers hear the
    English), from the console's overrides that give a reason."""
    return {date.fromisoformat(day): {"en": reason, **({"pl": reason_pl} if reason_pl else {})}
            for day, (_value, reason, reason_pl) in _stored().items() if reason}


def _stored() -> dict[str, tuple[str, str | None, str | None]]:
    key = str(database.current_engine().url)
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    value = _read_overrides()
    if value is not None:
        _cache[key] = (time.monotonic() + CACHE_SECONDS, value)
    return value or {}


def forget_cached_overrides() -> None:
    """Forget what this process read of the console's overrides (and announcement)."""
    _cache.pop(str(database.current_engine().url), None)
    announcements.forget_cached()


def _read_overrides() -> dict[str, tuple[str, str | None, str | None]] | None:
    """Read on a connection of its own, so a database hiccup leaves the caller's flow on
    the configured overrides instead of failing the webhook's session (None: not read,
    so not cached either)."""
    try:
        with Session(database.current_engine()) as db:
            return {row.day: (row.hours, row.reason, row.reason_pl) for row in db.exec(select(HoursOverride)).all()}
    except SQLAlchemyError as exc:  # e.g. not migrated yet, or the database is away
        if _not_migrated_yet():  # `db upgrade` of an empty database builds the app first: nothing is wrong
            log.debug("no desk-hours overrides table yet; using IVR_HOURS_OVERRIDES only")
        else:
            log.warning("could not read the desk-hours overrides (%s); using IVR_HOURS_OVERRIDES only",
                        type(exc).__name__)
        return None


def _not_migrated_yet() -> bool:
    try:
        return not inspect(database.current_engine()).has_table(HoursOverride.__tablename__)
    except SQLAlchemyError:  # the database is away: that deserves the warning
        return False


def normalise(day: str, value: str) -> tuple[str, str]:
    """Check one override as the phone line will read it; ValueError says what is wrong."""
    day, value = day.strip(), value.strip().lower()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ValueError("give the date as YYYY-MM-DD") from None
    hours.parse_overrides({day: value})
    return day, "closed" if value == "closed" else value
