"""How long a caller is likely to wait, from how fast the desk has been answering.

Pure arithmetic (services/queue_place.py gathers the figures).  The answer rate is
answered calls per agent-minute over the last hour (agent-minutes: the agents who
answered in that hour, an hour each), times the agents on duty now; the wait is the
caller's place in the router's order over that rate.  Too few answers in the hour
and nothing is estimated: a guess from two calls would mislead.
"""
from __future__ import annotations

import math

WINDOW_MINUTES = 60


def wait_seconds(place: int | None, answered: int, agents_then: int, agents_now: int,
                 min_answered: int, window_minutes: int = WINDOW_MINUTES) -> int | None:
    """Seconds until the caller at PLACE (1: next) is likely to be answered, or None
    when there is no honest figure (too few answers in the window, nobody on duty)."""
    if not place or place < 1 or answered < max(1, min_answered) or agents_now < 1:
        return None
    per_agent_minute = answered / (max(1, agents_then) * window_minutes)
    per_minute = per_agent_minute * agents_now
    return math.ceil(place / per_minute * 60)
