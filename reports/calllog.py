"""The call log: filtered, newest first, in keyset pages; one call's timeline.

Pages are keyset pages on (started_at desc, id desc): the cursor is the last row
shown, so page 1,000 costs what page 1 does.  Indexes: ``ix_calls_started_at``
(SQLite's index carries the rowid, so it is (started_at, id)), and for the
selective filters ``ix_calls_agent_started`` (agent_id, started_at) and
``ix_calls_outcome_started`` (outcome, started_at) from migration 0410_reports.
The timeline reads ``ix_call_events_call_sid``, ``ix_agent_offers_caller_call_sid``,
the unique call_sid on callback_requests and ``ix_callback_attempts_callback_id``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from desk import keyset
from models.agents import Agent, AgentOffer
from models.callbacks import CallbackAttempt, CallbackRequest
from models.calls import Call, CallEvent
from models.db import utcnow

PAGE_SIZE = 50
EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class CallFilters:
    """Every field optional; ``start``/``end`` are UTC instants, end exclusive."""
    start: datetime | None = None
    end: datetime | None = None
    outcome: str | None = None
    agent_id: int | None = None
    min_wait_seconds: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class CallPage:
    calls: list[Call]
    next_cursor: str | None


def encode_cursor(call: Call) -> str:
    return keyset.encode(call.started_at, call.id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """ValueError for anything this module did not hand out."""
    try:
        return keyset.decode(cursor)
    except ValueError:
        raise ValueError("That page link is not valid; start again from the first page.") from None


def _filtered(filters: CallFilters):
    query = select(Call)
    if filters.start is not None:
        query = query.where(Call.started_at >= filters.start)
    if filters.end is not None:
        query = query.where(Call.started_at < filters.end)
    if filters.outcome:
        query = query.where(Call.outcome == filters.outcome)
    if filters.agent_id is not None:
        query = query.where(Call.agent_id == filters.agent_id)
    if filters.min_wait_seconds is not None:
        query = query.where(Call.wait_seconds >= filters.min_wait_seconds)
    if filters.language:
        query = query.where(Call.language == filters.language)
    return query


def _after(query, cursor: tuple[datetime, int] | None):
    return keyset.before(query, Call.started_at, Call.id, cursor)


def call_page(db: Session, filters: CallFilters, cursor: str | None = None, limit: int = PAGE_SIZE) -> CallPage:
    """One page of the filtered log, newest first; next_cursor is None on the last page."""
    position = decode_cursor(cursor) if cursor else None
    rows = db.exec(_after(_filtered(filters), position)
                   .order_by(Call.started_at.desc(), Call.id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, list(rows[:limit])
    return CallPage(rows, encode_cursor(rows[-1]) if more and rows else None)


def iter_calls(db: Session, filters: CallFilters, chunk: int = EXPORT_CHUNK) -> Iterator[Call]:
    """Every call matching FILTERS, newest first, read a keyset chunk at a time (for
    the CSV export: memory stays flat however many calls match)."""
    position = None
    while True:
        rows = db.exec(_after(_filtered(filters), position)
                       .order_by(Call.started_at.desc(), Call.id.desc()).limit(chunk)).all()
        yield from rows
        if len(rows) < chunk:
            return
        position = (rows[-1].started_at, rows[-1].id)
        db.expunge_all()  # the chunk is written out: do not keep it in the identity map


def agent_names(db: Session) -> dict[int, str]:
    return {a.id: a.name for a in db.exec(select(Agent).order_by(Agent.name)).all()}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""


@dataclass(frozen=True)
class Timeline:
    call: Call
    entries: list[TimelineEntry]
    events: list[CallEvent]
    offers: list[AgentOffer]
    callback: CallbackRequest | None
    attempts: list[CallbackAttempt]


EVENT_WORDS = {
    "entered": "Joined the desk queue", "position_announced": "Told their place in the queue",
    "exit_with_key": "Left the queue with a key press", "abandoned": "Hung up while waiting",
    "timed_out": "Waited the longest allowed; offered a callback", "queue_full": "Queue full; offered a callback",
    "connected": "Connected to an agent", "completed": "Call with the agent ended",
}


def call_timeline(db: Session, call_id: int) -> Timeline | None:
    """The call with everything that happened to it, in time order."""
    call = db.get(Call, call_id)
    if call is None:
        return None
    names = agent_names(db)
    events = list(db.exec(select(CallEvent).where(CallEvent.call_sid == call.call_sid)
                          .order_by(CallEvent.at, CallEvent.id)).all())
    offers = list(db.exec(select(AgentOffer).where(AgentOffer.caller_call_sid == call.call_sid)
                          .order_by(AgentOffer.created_at, AgentOffer.id)).all())
    callback = db.exec(select(CallbackRequest).where(CallbackRequest.call_sid == call.call_sid)).first()
    attempts = [] if callback is None else list(db.exec(
        select(CallbackAttempt).where(CallbackAttempt.callback_id == callback.id)
        .order_by(CallbackAttempt.started_at, CallbackAttempt.id)).all())

    def agent(agent_id):
        return names.get(agent_id, f"agent {agent_id}") if agent_id is not None else ""

    entries = [TimelineEntry(call.started_at, "Call started", f"language {call.language}")]
    for e in events:
        bits = []
        if e.position is not None:
            bits.append(f"position {e.position}")
        if e.wait_seconds is not None:
            bits.append(f"waited {e.wait_seconds} s")
        if e.agent_id is not None:
            bits.append(agent(e.agent_id))
        entries.append(TimelineEntry(e.at, EVENT_WORDS.get(e.event, e.event), ", ".join(bits)))
    for o in offers:
        entries.append(TimelineEntry(o.created_at, f"Rang {agent(o.agent_id)}",
                                     f"offer {o.status}" + (f" ({o.outcome})" if o.outcome else "")))
    if callback is not None:
        window = (f"window {callback.window_start}-{callback.window_end}" if callback.window_start
                  else "any time")
        entries.append(TimelineEntry(callback.requested_at, "Callback requested",
                                     f"{window}; now {callback.status}"))
        for a in attempts:
            entries.append(TimelineEntry(a.started_at, f"Callback attempt {a.attempt_no}",
                                         ", ".join(x for x in (agent(a.agent_id), a.outcome or "in progress") if x)))
    if call.ended_at is not None:
        entries.append(TimelineEntry(call.ended_at, "Call ended",
                                     f"outcome {call.outcome or 'none'}, status {call.status}"))
    entries.sort(key=lambda entry: entry.at)
    return Timeline(call, entries, events, offers, callback, attempts)


def timeline_problem(call: Call, now: datetime | None = None) -> str | None:
    """Why CALL's record cannot be what happened, in words, or None.  The KPIs leave
    such calls out (reports/kpis.py); the call log shows them flagged."""
    now = now or utcnow()
    joined, ended, wait = call.queue_joined_at, call.ended_at, call.wait_seconds
    if call.started_at > now:
        return "dated in the future"
    if wait is not None and wait < 0:
        return f"a negative wait ({wait} s)"
    if joined is not None and joined < call.started_at:
        return "joined the queue before the call began"
    if ended is not None and ended < call.started_at:
        return "ended before it began"
    if joined is not None and ended is not None and wait is not None \
            and joined + timedelta(seconds=wait) > ended + timedelta(seconds=1):
        return "answered or left the queue after the call had ended"
    return None
