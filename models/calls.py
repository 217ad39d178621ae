"""The call log: one row per call to the desk line, with the flow's state between
webhooks, and the queue events of the call in a fixed vocabulary."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, insert, select, text, update
from sqlmodel import Field, Session, SQLModel

from models.db import core, utcnow

# What can happen to a caller in the queue (CallEvent.event).
QUEUE_EVENTS = ("entered", "position_announced", "exit_with_key", "abandoned", "timed_out",
                "queue_full", "connected", "completed")
# Events that happen at most once per call.
ONCE_PER_CALL = {"connected", "completed", "abandoned"}

# Twilio CallStatus -> rank: a status callback never moves a call backwards, so a
# late "ringing" cannot overwrite "completed".
STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3,
               "completed": 4, "busy": 4, "failed": 4, "no-answer": 4, "canceled": 4}
FINAL_STATUSES = {s for s, rank in STATUS_RANK.items() if rank == 4}



class CallOutcome(StrEnum):
    """How a call to the desk line ended (Call.outcome); the call flow's End nodes name them."""
    CONNECTED = "connected"
    CALLBACK_REQUESTED = "callback_requested"
    CALLBACK_UNSAFE = "callback_unsafe"
    CASE_UPDATE = "case_update"
    INFORMATION = "information"
    LOCKED_OUT = "locked_out"
    ABANDONED = "abandoned"
    ENDED_IN_MENU = "ended_in_menu"
    ERROR = "error"


OUTCOMES = tuple(CallOutcome)


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    # Supervisors' reports (migration 0410_reports): KPIs read only the first index.
    __table_args__ = (Index("ix_calls_kpi", "started_at", "queue_joined_at", "outcome", "wait_seconds",
                            "ended_at"),  # ended_at: migration 0641, for the timeline check
                      Index("ix_calls_agent_started", "agent_id", "started_at"),
                      Index("ix_calls_outcome_started", "outcome", "started_at"),
                      # only callers waiting now (migration 0412_waiting_callers)
                      Index("ix_calls_waiting_since", "waiting_since", sqlite_where=text("waiting_since IS NOT NULL"),
                            postgresql_where=text("waiting_since IS NOT NULL")))

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(max_length=64, unique=True, index=True)
    caller: str | None = Field(default=None, max_length=20, index=True)  # E.164; None if withheld
    called: str | None = Field(default=None, max_length=20)
    direction: str | None = Field(default=None, max_length=20)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    language: str = Field(default="en", max_length=5)
    path: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="in-progress", max_length=20)  # Twilio's CallStatus
    status_rank: int = 3
    status_sequence: int = -1
    status_at: datetime | None = None  # Twilio's Timestamp of the status we hold
    outcome: str | None = Field(default=None, max_length=30, index=True)
    queue_joined_at: datetime | None = None  # the first time the caller joined the queue
    # Set while the caller is in the desk queue (this time round), None otherwise:
    # the router's list of who is waiting.
    waiting_since: datetime | None = Field(default=None)  # partial index below
    wait_seconds: int | None = None
    agent_id: int | None = None  # set by the routing side when an agent takes the call
    verified_case_id: int | None = None
    # Twilio's StirVerstat (STIR/SHAKEN attestation of the caller ID, e.g.
    # TN-Validation-Passed-A) when it sent one in a valid shape
    stir_verstat: str | None = Field(default=None, max_length=40)
    # The flow's CallState between webhooks (flows.model.CallState.to_json).
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The one-time token in the action URLs of the call's last answer (ivr/step_tokens.py):
    # the next webhook acts only if it carries it.  None: a call from before tokens.
    step_token: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(default_factory=utcnow)


class CallEvent(SQLModel, table=True):
    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_event_at", "event", "at"),  # reports (0410_reports)
                      Index("ix_call_events_sid_event", "call_sid", "event", "at"))

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(max_length=64, index=True)
    event: str = Field(max_length=20)  # one of QUEUE_EVENTS
    at: datetime = Field(default_factory=utcnow)
    position: int | None = None
    wait_seconds: int | None = None
    agent_id: int | None = None


def record_event(db: Session, call_sid: str, event: str, *, at: datetime, position: int | None = None,
                 wait_seconds: int | None = None, agent_id: int | None = None) -> None:
    """Add a queue event (in the caller's transaction).  Events that happen once per
    call are not added twice, so a repeated webhook changes nothing.  Core statements:
    the voice webhooks write an event on most queue polls (ivr/call_rows.py says why)."""
    if event not in QUEUE_EVENTS:
        raise ValueError(f"unknown queue event {event!r}")
    events = CallEvent.__table__
    connection = core(db)
    if event in ONCE_PER_CALL:
        existing = connection.execute(select(events.c.id, events.c.agent_id, events.c.wait_seconds).where(
            events.c.call_sid == call_sid, events.c.event == event)).first()
        if existing is not None:
            # a later copy fills in what the first lacked (the status callback's
            # "abandoned" has no QueueTime; the queue exit after it does), never replaces
            missing = {name: value for name, value in (("agent_id", agent_id), ("wait_seconds", wait_seconds))
                       if value is not None and getattr(existing, name) is None}
            if missing:
                connection.execute(update(events).where(events.c.id == existing.id), missing)
            return
    connection.execute(insert(events), {"call_sid": call_sid, "event": event, "at": at, "position": position,
                                        "wait_seconds": wait_seconds, "agent_id": agent_id})
