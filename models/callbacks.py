"""Callback requests taken on the phone line, and each attempt to place one.

The voice side creates requests; the router (services/routing.py, services/callbacks.py) places
them, agent first, in the order callers *first joined the queue* (queue_joined_at),
within the victim's window, and record every attempt here.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, event
from sqlmodel import Field, SQLModel

from models.db import utcnow


class CallbackStatus(StrEnum):
    PENDING = "pending"           # waiting for its time, or for a free agent
    IN_PROGRESS = "in_progress"   # an agent is being rung or is placing it
    COMPLETED = "completed"       # the victim was reached (or a permitted message left)
    FAILED = "failed"             # every attempt used
    CANCELLED = "cancelled"       # an agent closed it
    EXPIRED = "expired"           # still pending CALLBACK_EXPIRY_DAYS after the request (retention)


CALLBACK_STATUSES = tuple(CallbackStatus)
OPEN_STATUSES = (CallbackStatus.PENDING, CallbackStatus.IN_PROGRESS)


class CallbackRequest(SQLModel, table=True):
    __tablename__ = "callback_requests"
    # callbacks of one status in the order they are worked (migration 0702): the list
    # reads its page, not every older callback of every status
    __table_args__ = (Index("ix_callback_requests_status_order", "status", "queue_joined_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # unique: a repeated webhook for the same call cannot book two callbacks
    call_sid: str | None = Field(default=None, max_length=64, unique=True)
    phone: str = Field(max_length=20, index=True)  # E.164
    safe_to_call: bool = True
    voicemail_allowed: bool = False
    window_start: str | None = Field(default=None, max_length=5)  # "HH:MM" Europe/London
    window_end: str | None = Field(default=None, max_length=5)
    # When the caller first joined the queue (= requested_at if they never queued):
    # callbacks are worked in this order, so asking for one does not lose a place.
    queue_joined_at: datetime | None = Field(default=None, nullable=False, index=True)
    requested_at: datetime = Field(default_factory=utcnow)
    language: str = Field(default="en", max_length=5)
    verified_case_id: int | None = None
    status: str = Field(default=CallbackStatus.PENDING, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, index=True)  # None: as soon as possible
    last_outcome: str | None = Field(default=None, max_length=100)
    agent_id: int | None = None


class CallbackAttempt(SQLModel, table=True):
    __tablename__ = "callback_attempts"
    __table_args__ = (Index("ix_callback_attempts_started_at", "started_at"),)  # reports (0410_reports)

    id: int | None = Field(default=None, primary_key=True)
    callback_id: int = Field(foreign_key="callback_requests.id", index=True)
    attempt_no: int
    started_at: datetime = Field(default_factory=utcnow)
    agent_id: int | None = None
    agent_call_sid: str | None = Field(default=None, max_length=64)
    victim_call_sid: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=50)
    ended_at: datetime | None = None


@event.listens_for(CallbackRequest, "before_insert")
def _joined_defaults_to_requested(_mapper, _connection, row: CallbackRequest) -> None:
    # A request that never went through the queue (menu, text message) queues from
    # the moment it was made.
    if row.queue_joined_at is None:
        row.queue_joined_at = row.requested_at
