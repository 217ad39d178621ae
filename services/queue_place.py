"""What a caller in the queue is told: their place in the router's own order and a
likely wait from the recent answer rate (flows/queue_estimate.py does the sums).

The place counts the work the router would serve first (flows.dispatch.assign):
urgent before the rest, then by first join time; callers waiting and callbacks due
now alike.  Twilio's QueuePosition counts only the callers in its queue, in its own
order, so it is not used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from desk import settings
from flows import queue_estimate
from models.agents import Agent, AgentState
from models.calls import CallEvent
from reports.agent_activity import on_duty_seconds
from services import callbacks, waiting


@dataclass(frozen=True)
class QueueFigures:
    place: int | None  # 1: the next to be served; None: not waiting (as far as we know)
    wait_seconds: int | None  # None: no honest estimate
    staffed: bool  # any agent on duty (available, busy or in wrap-up)


def _naive_utc(moment: datetime) -> datetime:
    # SQLite gives naive UTC, PostgreSQL aware: compare them alike
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _order(work) -> tuple:
    return (not work.urgent, _naive_utc(work.joined_at), work.key)


def place_in_line(db: Session, call_sid: str, now: datetime) -> int | None:
    """The caller's place among the callers waiting and the callbacks due now, in the
    order the router serves them."""
    work = waiting.queue_work(db) + callbacks.due_work(db, now)
    ordered = sorted(work, key=_order)
    for place, item in enumerate(ordered, start=1):
        if item.kind == "queue" and item.key == call_sid:
            return place
    return None


def answered_last_hour(db: Session, now: datetime) -> tuple[int, int]:
    """(calls answered by an agent in the last hour, distinct agents who answered them)."""
    since = now - timedelta(minutes=queue_estimate.WINDOW_MINUTES)
    rows = db.exec(select(CallEvent.agent_id).where(CallEvent.event == "connected", CallEvent.at >= since)).all()
    return len(rows), len({r for r in rows if r is not None})


def agents_on_duty(db: Session) -> int:
    return db.exec(select(func.count(Agent.id)).where(Agent.state != AgentState.OFFLINE.value)).one()


def figures(db: Session, call_sid: str, now: datetime) -> QueueFigures:
    place = place_in_line(db, call_sid, now)
    answered, agents_then = answered_last_hour(db, now)
    agents_now = agents_on_duty(db)
    since = now - timedelta(minutes=queue_estimate.WINDOW_MINUTES)
    # the agents' time on duty in the hour, from their state history; before there was
    # any, each agent who answered counts for the whole hour
    minutes = on_duty_seconds(db, since, now) / 60 or (agents_then or agents_now) * queue_estimate.WINDOW_MINUTES
    wait = queue_estimate.wait_seconds(place, answered, minutes, agents_now,
                                       settings.current()["IVR_QUEUE_ESTIMATE_MIN_ANSWERED"])
    return QueueFigures(place, wait, agents_now > 0)
