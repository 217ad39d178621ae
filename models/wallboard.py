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
from datetime import datetime

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
