"""Routing jobs: one dispatch pass (ring free agents for waiting callers and due
callbacks; also the periodic sweep), taking one caller out of the queue, and asking
Twilio about the calls the desk has not heard from (periodic)."""
from __future__ import annotations

from desk import clock, settings
from models.db import session
from services import call_status, routing
from services.twilio_client import make_client
from workers.runtime import job


@job
def dispatch() -> int:
    return routing.dispatch()


@job
def pull_caller(offer_id: int) -> bool:
    return routing.pull_caller(offer_id)


@job
def reconcile_calls() -> int:
    """End the calls Twilio says are over whose final status callback never came."""
    return call_status.reconcile(session(), make_client(settings.current()), clock.now())
