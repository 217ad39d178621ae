"""Call, survey and rating rows written directly, where driving a whole call or text
conversation would add nothing, for the supervisors' pages."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from desk.clock import LONDON

_seq = itertools.count(1)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def add_call(db, started: datetime, *, outcome: str | None = "connected", queued: bool = True,
             wait: int | None = 30, agent_id: int | None = None, language: str = "en",
             caller: str | None = "+447911123456", handle: int | None = None, sid: str | None = None):
    """A finished call; a queued one gets its queue events (entered, and connected /
    completed HANDLE seconds later for a connected one, or abandoned)."""
    from models.calls import Call, CallEvent

    sid = sid or f"CA{next(_seq):032x}"
    joined = started + timedelta(seconds=20) if queued else None
    left = joined + timedelta(seconds=wait or 0) if joined else None
    ended = (left or started) + timedelta(seconds=handle or 60)
    call = Call(call_sid=sid, caller=caller, started_at=started, ended_at=ended, language=language,
                status="completed", status_rank=4, outcome=outcome, queue_joined_at=joined,
                wait_seconds=wait if queued else None, agent_id=agent_id, duration_seconds=int((ended - started).total_seconds()),
                path=["greeting", "main_menu"], state={})
    db.add(call)
    if queued:
        db.add(CallEvent(call_sid=sid, event="entered", at=joined, position=1))
        if outcome == "connected":
            db.add(CallEvent(call_sid=sid, event="connected", at=left, wait_seconds=wait, agent_id=agent_id))
            db.add(CallEvent(call_sid=sid, event="completed", at=ended, agent_id=agent_id))
        elif outcome == "abandoned":
            db.add(CallEvent(call_sid=sid, event="abandoned", at=left))
    db.commit()
    return call


def add_rating(db, *, officer: str, borough: str, rating: int | None, rated_at: datetime,
               comment: str | None = None, name: str | None = None):
    from models.surveys import Engagement, Survey

    n = next(_seq)
    engagement = Engagement(officer_id=officer, officer_name=name or f"PC {officer}", borough=borough,
                            victim_phone=f"+4479111{n:05d}", occurred_at=rated_at - timedelta(hours=3))
    db.add(engagement)
    db.flush()
    db.add(Survey(engagement_id=engagement.id, phone=engagement.victim_phone,
                  status="completed" if rating else "awaiting_rating", rating=rating,
                  rated_at=rated_at if rating else None, comment=comment,
                  comment_at=rated_at + timedelta(minutes=2) if comment else None))
    db.commit()
    return engagement

