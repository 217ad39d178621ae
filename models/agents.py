"""Desk agents, and every time the desk rang one of them (an offer).

An agent is reached on a phone number or as a Twilio Client identity.  ``state`` is
what routing looks at: only ``available`` agents are rung, and the one whose
``state_changed_at`` is oldest (the longest idle) goes first.

An ``AgentOffer`` is one REST call placed to an agent, either to take a caller who
waits in the queue (``kind="queue"``) or to place a callback (``kind="callback"``).
It is keyed by the agent leg's CallSid so Twilio's status callbacks, which may come
twice or out of order, change it at most once.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from models.db import utcnow


class AgentState(str, Enum):
    AVAILABLE = "available"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    OFFLINE = "offline"


AGENT_STATES = tuple(s.value for s in AgentState)


class Agent(SQLModel, table=True):
    __tablename__ = "agents"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    phone: str | None = Field(default=None, max_length=20)            # E.164
    client_identity: str | None = Field(default=None, max_length=100)  # Twilio Client
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=AgentState.OFFLINE.value, max_length=10, index=True)
    state_changed_at: datetime = Field(default_factory=utcnow)
    missed_in_a_row: int = 0
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def address(self) -> str:
        """What Twilio dials: the phone number, else ``client:identity``."""
        return self.phone or f"client:{self.client_identity}"

    def set_state(self, state: AgentState | str, at: datetime) -> None:
        self.state = AgentState(state).value
        self.state_changed_at = at


class OfferKind(str, Enum):
    QUEUE = "queue"        # a caller waiting in the desk queue
    CALLBACK = "callback"  # ring the agent, then the victim


class OfferStatus(str, Enum):
    RINGING = "ringing"      # REST call placed; the agent has not taken it yet
    ACCEPTED = "accepted"    # the agent pressed 1; being connected
    CONNECTED = "connected"  # talking (or dialling the victim)
    ENDED = "ended"          # finished after being accepted
    MISSED = "missed"        # no answer, busy, failed, or answered without pressing 1
    WITHDRAWN = "withdrawn"  # the caller left before the agent took the call
    FAILED = "failed"        # Twilio refused the REST call


ACTIVE_OFFER_STATUSES = (OfferStatus.RINGING.value, OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value)


class AgentOffer(SQLModel, table=True):
    __tablename__ = "agent_offers"
    # today's offers per agent on the wallboard, and offers per day in the reports
    # (migration 0630_wallboard_history)
    __table_args__ = (Index("ix_agent_offers_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    kind: str = Field(max_length=10)
    status: str = Field(default=OfferStatus.RINGING.value, max_length=10, index=True)
    agent_call_sid: str | None = Field(default=None, max_length=34, unique=True)
    caller_call_sid: str | None = Field(default=None, max_length=34, index=True)  # kind=queue
    callback_id: int | None = Field(default=None, index=True)                     # kind=callback
    callback_attempt_id: int | None = None
    outcome: str | None = Field(default=None, max_length=40)  # Twilio status or our reason
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None
    ended_at: datetime | None = None
