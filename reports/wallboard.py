"""What the desk looks like right now.

Indexes: callers waiting by ``ix_calls_waiting_since`` (only waiting callers have
it set); agents by ``ix_agents_state``; callbacks by ``ix_callback_requests_status``
(only the pending ones are read, and they are counted in SQL).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from desk.clock import LONDON
from models.agents import AGENT_STATES, Agent
from models.callbacks import CallbackRequest, CallbackStatus
from models.calls import Call


@dataclass(frozen=True)
class Wallboard:
    at: datetime
    callers_waiting: int
    longest_wait_seconds: int | None
    agents: dict[str, int] = field(default_factory=dict)  # state -> count, every state listed
    callbacks_due: int = 0
    callbacks_overdue: int = 0
    callbacks_pending: int = 0

    def to_json(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def in_window_now(hhmm: str):
    """SQL: the callback's own window (London "HH:MM", possibly past midnight) holds HHMM."""
    start, end = CallbackRequest.window_start, CallbackRequest.window_end
    return or_(start.is_(None), end.is_(None),
               and_(start <= end, start <= hhmm, end > hhmm),
               and_(start > end, or_(start <= hhmm, end > hhmm)))


def wallboard(db: Session, now: datetime, overdue_minutes: int = 30) -> Wallboard:
    """Callers waiting and the longest wait; agents by state; callbacks that are due
    (pending, retry time come, inside the victim's window now) and those due for
    more than OVERDUE_MINUTES (by their retry time, else when the caller joined)."""
    waiting, oldest = db.exec(select(func.count(), func.min(Call.waiting_since))
                              .where(Call.waiting_since.is_not(None), Call.ended_at.is_(None))).one()
    longest = max(0, int((now - oldest).total_seconds())) if oldest is not None else None

    agents = {state: 0 for state in AGENT_STATES}
    for state, count in db.exec(select(Agent.state, func.count()).group_by(Agent.state)).all():
        agents[state] = count

    hhmm = now.astimezone(LONDON).strftime("%H:%M")
    came_due = func.coalesce(CallbackRequest.next_attempt_at, CallbackRequest.queue_joined_at)
    pending = CallbackRequest.status == CallbackStatus.PENDING
    due = and_(pending, or_(CallbackRequest.next_attempt_at.is_(None), CallbackRequest.next_attempt_at <= now),
               in_window_now(hhmm))
    late = now - timedelta(minutes=overdue_minutes)
    total, due_count, overdue = db.exec(select(
        func.count(),
        func.coalesce(func.sum(_flag(due)), 0),
        func.coalesce(func.sum(_flag(and_(due, came_due <= late))), 0),
    ).where(pending)).one()
    return Wallboard(at=now, callers_waiting=waiting, longest_wait_seconds=longest, agents=agents,
                     callbacks_due=int(due_count), callbacks_overdue=int(overdue), callbacks_pending=total)


def _flag(condition):
    return case((condition, 1), else_=0)
