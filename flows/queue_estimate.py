"""How long a caller is likely to wait, from how fast the desk has been answering.

Pure arithmetic (services/queue_place.py gathers the figures).  The answer rate is
answered calls per agent-minute over the last hour (agent-minutes: the time agents
spent on duty in that hour, from their state history; where there is none, the agents
who answered in the hour, an hour each), times the agents on duty now; the wait is the
caller's place in the router's order over that rate.  Too few answers in the hour
and nothing is estimated: a guess from two calls would mislead.
"""
from __future__ import annotations

import math

WINDOW_MINUTES = 60


def wait_seconds(place: int | None, answered: int, agent_minutes: float, agents_now: int,
                 min_answered: int) -> int | None:
    """Seconds until the caller at PLACE (1: next) is likely to be answered, or None
    when there is no honest figure (too few answers in the window, nobody on duty)."""
    if not place or place < 1 or answered < max(1, min_answered) or agents_now < 1 or agent_minutes <= 0:
        return None
    per_minute = answered / agent_minutes * agents_now
    return math.ceil(place / per_minute * 60)
