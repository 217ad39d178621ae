"""An agent asks, from the console, to place one callback now ('call now').

The same agent-first call the router places (router.ring), for this agent and this
callback, taken under the router's lock so a dispatch running at the same moment
cannot ring the agent or offer the callback twice.
"""
from __future__ import annotations

import logging

from sqlmodel import Session, select

from desk import clock, settings
from desk.queues import queue
from desk.redis_conn import connect
from flows import dispatch as rules
from models.agents import ACTIVE_OFFER_STATUSES, Agent, AgentOffer, AgentState, OfferKind
from models.db import session
from services import callback_safety, callbacks, routing

log = logging.getLogger(__name__)

PLACE_JOB = "workers.call_now.place"  # queued by name: services never import workers


def why_not(db: Session, callback_id: int, agent_id: int) -> str | None:
    """Why this callback cannot be placed by this agent now, in words for the agent; None if it can."""
    now = clock.now()
    cb = callbacks.get(db, callback_id)
    agent = db.get(Agent, agent_id)
    if cb is None or agent is None:
        return "That callback no longer exists."
    if cb.status != callbacks.PENDING:
        return f"That callback is {cb.status.replace('_', ' ')}, not waiting."
    if cb.agent_id not in (None, agent_id):
        return "That callback is assigned to another agent."
    if cb.attempts >= callbacks.policy().max_attempts:
        return "Every attempt for that callback has been used."
    unsafe = callback_safety.why_not_now(db, cb, now)
    if unsafe == "never":
        return ("It is not safe to call this victim: the cases on this number allow no call "
                "(marked not safe to call, or no safe time in common).")
    if unsafe == "not_now":
        times = ", ".join(callbacks.case_windows(db, cb) or [])
        return f"It is not safe to call this victim now: only {times} (London time)."
    if agent.state == AgentState.BUSY.value:
        return "You are on a call."
    busy = db.exec(select(AgentOffer).where(AgentOffer.agent_id == agent_id,
                                            AgentOffer.status.in_(ACTIVE_OFFER_STATUSES))).first()
    if busy is not None:
        return "Your phone is already ringing or on a call."
    taken = db.exec(select(AgentOffer).where(AgentOffer.callback_id == callback_id,
                                             AgentOffer.status.in_(ACTIVE_OFFER_STATUSES))).first()
    if taken is not None:
        return "Another agent is being rung for that callback."
    return None


def request(callback_id: int, agent_id: int) -> None:
    queue(settings.current(), "outbound").enqueue(PLACE_JOB, callback_id, agent_id, job_timeout=120)


def place(callback_id: int, agent_id: int) -> bool:
    """Ring AGENT_ID for CALLBACK_ID if it still may be placed; True when rung."""
    lock = connect(settings.current()).lock(routing.LOCK_NAME, timeout=120, blocking_timeout=30)
    if not lock.acquire():
        log.warning("call now: the dispatch lock was held for 30s; callback %s not placed", callback_id)
        return False
    try:
        db = session()
        problem = why_not(db, callback_id, agent_id)
        if problem is not None:
            log.info("call now: callback %s for agent %s not placed: %s", callback_id, agent_id, problem)
            return False
        cb = callbacks.get(db, callback_id)
        work = rules.Work(OfferKind.CALLBACK.value, str(cb.id), cb.queue_joined_at, cb.language or "en")
        return routing.ring(db, work, db.get(Agent, agent_id), clock.now())
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - the lock expired under us: nothing to release
            log.warning("call now: lock had expired before release")
