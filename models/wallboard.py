"""Wall screens and agents' state history.

A ``WallboardDevice`` is a wall screen an admin has let show the wallboard: it holds a
secret (only its SHA-256 hash is kept here) in a cookie of its own, outside the staff
sessions, so it is not logged out by the staff session lifetimes; it can read the
wallboard's figures and nothing else, until an admin revokes it.

An ``AgentStateInterval`` is one stretch of time an agent spent in one state
(available, busy, wrap-up, offline): written whenever the agent's state changes
(services/agent_state.change_state), so time in each state, occupancy and the like
can be reported for any past day.  ``ended_at`` is None for the state they are in now.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.db import utcnow


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class WallboardDevice(SQLModel, table=True):
    __tablename__ = "wallboard_devices"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=254)
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None


class AgentStateInterval(SQLModel, table=True):
    __tablename__ = "agent_state_intervals"
    # per agent over a range of days; and the ones still open or ending in a range
    __table_args__ = (Index("ix_agent_state_intervals_agent_started", "agent_id", "started_at"),
                      Index("ix_agent_state_intervals_started_at", "started_at"),
                      Index("ix_agent_state_intervals_ended_at", "ended_at"))

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int
    state: str = Field(max_length=10)
    started_at: datetime
    ended_at: datetime | None = None


class AgentDayTotals(SQLModel, table=True):
    """One agent's London day as the agent activity report shows it (reports/agent_activity.py):
    seconds in each state and the offers they took, talked or missed.  Kept for a day once
    its calls are final (the hourly kpi-days job), so a month reads a row per agent and
    day, not every state change and offer in it (migration 0722)."""
    __tablename__ = "agent_days"

    day: date = Field(primary_key=True)
    agent_id: int = Field(primary_key=True)
    available_seconds: float = 0.0
    busy_seconds: float = 0.0
    wrap_up_seconds: float = 0.0
    offline_seconds: float = 0.0
    calls: int = 0
    talked_calls: int = 0
    talk_seconds: float = 0.0
    missed_offers: int = 0


class AgentDayKept(SQLModel, table=True):
    """A day whose agents' totals are kept (every agent with anything that day has a row)."""
    __tablename__ = "agent_days_kept"

    day: date = Field(primary_key=True)
    kept_at: datetime = Field(default_factory=utcnow)
