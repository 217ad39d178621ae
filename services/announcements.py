"""The phone line's message of the day: an announcement an admin sets (console or
`flask announcement set`), which every caller hears right after the safety notice
until it expires.  Kept in the database; each web process keeps what it read for
CACHE_SECONDS, like the hours overrides."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, delete, select

from desk import clock
from models import db as database
from models.staff import Announcement

log = logging.getLogger(__name__)

CACHE_SECONDS = 30
MAX_LENGTH = 500
_cache: dict[str, tuple[float, Announcement | None]] = {}  # database URL -> (expires, row)


def set_announcement(db: Session, text_en: str, text_pl: str | None, expires_at: datetime,
                     by: str | None) -> Announcement:
    """Replace the announcement; ValueError says what is wrong."""
    text_en, text_pl = (text_en or "").strip(), (text_pl or "").strip() or None
    if not text_en:
        raise ValueError("the announcement needs its English text")
    if len(text_en) > MAX_LENGTH or (text_pl and len(text_pl) > MAX_LENGTH):
        raise ValueError(f"an announcement is at most {MAX_LENGTH} characters")
    if expires_at.tzinfo is None:
        raise ValueError("the expiry needs a time zone")
    if expires_at <= clock.now():
        raise ValueError("the expiry is in the past")
    db.exec(delete(Announcement))
    row = Announcement(text_en=text_en, text_pl=text_pl, expires_at=expires_at, created_by=by,
                       created_at=clock.now())
    db.add(row)
    db.commit()
    forget_cached()
    return row


def clear(db: Session) -> None:
    db.exec(delete(Announcement))
    db.commit()
    forget_cached()


def forget_cached() -> None:
    _cache.pop(str(database.current_engine().url), None)


def current() -> dict[str, str]:
    """{"en": ..., "pl": ...} while an announcement is in force, else {}; no "pl" when
    it was written in English only (a Polish call reads the English as English)."""
    row = _stored()
    if row is None or row.expires_at <= clock.now():
        return {}
    return {"en": row.text_en, **({"pl": row.text_pl} if row.text_pl else {})}


def current_row() -> Announcement | None:
    """The announcement in force, as stored (for the console), or None."""
    row = _stored()
    return row if row is not None and row.expires_at > clock.now() else None


def _stored() -> Announcement | None:
    key = str(database.current_engine().url)
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    try:
        with Session(database.current_engine(), expire_on_commit=False) as db:
            row = db.exec(select(Announcement).order_by(Announcement.id.desc())).first()
            if row is not None:
                db.expunge(row)
    except SQLAlchemyError as exc:  # not migrated yet, or the database is away: no announcement
        log.debug("could not read the announcement (%s)", type(exc).__name__)
        return None
    _cache[key] = (time.monotonic() + CACHE_SECONDS, row)
    return row
