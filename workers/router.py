"""Routing jobs: one dispatch pass (ring free agents for waiting callers and due
callbacks; also the periodic sweep), and taking one caller out of the queue."""
from __future__ import annotations

from services import routing
from workers.runtime import job


@job
def dispatch() -> int:
    return routing.dispatch()


@job
def pull_caller(offer_id: int) -> bool:
    return routing.pull_caller(offer_id)
