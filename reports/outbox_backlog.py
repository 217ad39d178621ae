"""Texts the desk owes right now: pending or retrying, with their send time come.

A text held back by quiet hours (``not_before``) or waiting for its retry time is not
owed yet, so a quiet night does not look like a stuck outbox.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from models.outbox import CLAIMABLE, OutboundMessage


def owed(db: Session, now: datetime) -> tuple[int, float | None]:
    """(how many texts are owed, seconds the longest-owed one has been due; None: none owed)."""
    # due since its retry time, else its deferred send time, else when it was queued
    due_since = func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.not_before,
                              OutboundMessage.created_at)
    count, oldest = db.exec(select(func.count(), func.min(due_since)).where(
        OutboundMessage.status.in_([s.value for s in CLAIMABLE]),
        or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= now),
        or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now))).one()
    if oldest is None:
        return count, None
    if isinstance(oldest, str):  # SQLite returns an aggregate of a datetime column as text
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return count, max(0.0, (now - oldest).total_seconds())
