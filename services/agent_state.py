"""What happens to an agent and an offer when Twilio tells us how the agent's call went.

Shared by the agent webhooks (ivr/agent_routes.py) and the dispatcher.  Each function
changes rows in the caller's session and does not commit; each is a no-op when the
offer has already moved on, so repeated or late status callbacks change nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, select

from desk import settings
from flows import dispatch as rules
from models.agents import ACTIVE_OFFER_STATUSES, Agent, AgentOffer, AgentState, OfferKind, OfferStatus
from models.wallboard import AgentStateInterval
from services import callbacks

log = logging.getLogger(__name__)


def change_state(db: Session, agent: Agent, state: AgentState | str, at: datetime) -> None:
    """Every change of an agent's state goes through here: the agent's row for routing,
    and the interval kept for the history reports (the open one ends at AT, a new one
    begins).  Setting the state an agent is already in restarts their idle time but
    keeps one interval."""
    new = AgentState(state).value
    previous = agent.state
    agent.set_state(new, at)
    db.add(agent)
    if new == previous and agent.id is not None and _open_interval(db, agent.id) is not None:
        return
    if agent.id is None:
        db.flush()
    open_row = _open_interval(db, agent.id)
    if open_row is not None:
        open_row.ended_at = max(at, open_row.started_at)
        db.add(open_row)
    db.add(AgentStateInterval(agent_id=agent.id, state=new, started_at=at))


def _open_interval(db: Session, agent_id: int) -> AgentStateInterval | None:
    return db.exec(select(AgentStateInterval).where(AgentStateInterval.agent_id == agent_id,
                                                    AgentStateInterval.ended_at.is_(None))
                   .order_by(AgentStateInterval.started_at.desc())).first()


def _agent(db: Session, offer: AgentOffer) -> Agent:
    return db.get(Agent, offer.agent_id)


def accepted(db: Session, offer: AgentOffer, now: datetime) -> bool:
    """The agent pressed 1: they are busy from now on and their miss count restarts."""
    if offer.status != OfferStatus.RINGING.value:
        return False
    offer.status, offer.answered_at = OfferStatus.ACCEPTED.value, offer.answered_at or now
    agent = _agent(db, offer)
    agent.missed_in_a_row = 0
    if agent.state != AgentState.OFFLINE.value:
        change_state(db, agent, AgentState.BUSY, now)
    db.add_all([offer, agent])
    return True


def connected(db: Session, offer: AgentOffer, now: datetime) -> bool:
    if offer.status not in (OfferStatus.RINGING.value, OfferStatus.ACCEPTED.value):
        return False
    offer.status = OfferStatus.CONNECTED.value
    db.add(offer)
    return True


def missed(db: Session, offer: AgentOffer, now: datetime, outcome: str) -> bool:
    """No answer, busy, or answered without taking the call.  Two in a row: offline."""
    if offer.status != OfferStatus.RINGING.value:
        return False
    offer.status, offer.outcome, offer.ended_at = OfferStatus.MISSED.value, outcome[:40], now
    agent = _agent(db, offer)
    agent.missed_in_a_row, goes_offline = rules.after_miss(agent.missed_in_a_row)
    if goes_offline and agent.state != AgentState.OFFLINE.value:
        change_state(db, agent, AgentState.OFFLINE, now)
        log.info("agent %s missed %s calls in a row: now offline", agent.id, agent.missed_in_a_row)
    db.add_all([offer, agent])
    if offer.kind == OfferKind.CALLBACK.value and offer.callback_id:
        callbacks.release(db, offer.callback_id)
    return True


def withdrawn(db: Session, offer: AgentOffer, now: datetime, outcome: str) -> bool:
    """The work went away (caller left, callback no longer due) before it was connected.
    Not the agent's fault: they are available again at once."""
    if offer.status not in (OfferStatus.RINGING.value, OfferStatus.ACCEPTED.value):
        return False
    was_accepted = offer.status == OfferStatus.ACCEPTED.value
    offer.status, offer.outcome, offer.ended_at = OfferStatus.WITHDRAWN.value, outcome[:40], now
    agent = _agent(db, offer)
    if was_accepted and agent.state == AgentState.BUSY.value:
        change_state(db, agent, AgentState.AVAILABLE, now)
    db.add_all([offer, agent])
    if offer.kind == OfferKind.CALLBACK.value and offer.callback_id:
        callbacks.release(db, offer.callback_id)
    return True


def ended(db: Session, offer: AgentOffer, now: datetime, outcome: str, *, wrap_up: bool = True,
          talked_seconds: int | None = None) -> bool:
    """The agent's work on this offer is over: wrap-up time, then available again.  A
    call that lasted 0 seconds (TALKED_SECONDS, Twilio's DialCallDuration) left nothing
    to wrap up: the agent is available at once."""
    if offer.status not in (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value):
        return False
    wrap_up = wrap_up and talked_seconds != 0
    offer.status, offer.outcome, offer.ended_at = OfferStatus.ENDED.value, outcome[:40], now
    agent = _agent(db, offer)
    if agent.state == AgentState.BUSY.value:
        change_state(db, agent, AgentState.WRAP_UP if wrap_up else AgentState.AVAILABLE, now)
    db.add_all([offer, agent])
    return True


def finish_wrap_ups(db: Session, now: datetime) -> list[int]:
    """Agents whose wrap-up time is over become available, idle since it ended."""
    wrap = timedelta(seconds=settings.current()["AGENT_WRAP_UP_SECONDS"])
    done = []
    for agent in db.exec(select(Agent).where(Agent.state == AgentState.WRAP_UP.value)).all():
        over_at = rules.wrap_up_over(agent.state, agent.state_changed_at, now, wrap)
        if over_at is not None:
            change_state(db, agent, AgentState.AVAILABLE, over_at)
            db.add(agent)
            done.append(agent.id)
    return done


def expire_stale(db: Session, now: datetime) -> int:
    """Ringing offers Twilio never told us about are given up, so they do not hold an
    agent or a caller for ever.  Not counted as a miss: we do not know it was one."""
    stale_after = timedelta(seconds=settings.current()["AGENT_OFFER_STALE_SECONDS"])
    count = 0
    for offer in db.exec(select(AgentOffer).where(AgentOffer.status == OfferStatus.RINGING.value)).all():
        if offer.created_at + stale_after <= now:
            withdrawn(db, offer, now, "stale")
            count += 1
    return count


def close_lost(db: Session, now: datetime) -> int:
    """Accepted calls we never heard the end of (lost webhooks) stop holding the agent."""
    longest = timedelta(seconds=settings.current()["AGENT_MAX_CALL_SECONDS"])
    count = 0
    for offer in db.exec(select(AgentOffer).where(AgentOffer.status.in_(
            (OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value)))).all():
        if (offer.answered_at or offer.created_at) + longest <= now:
            if offer.kind == OfferKind.CALLBACK.value and offer.callback_attempt_id:
                attempt = callbacks.get_attempt(db, offer.callback_attempt_id)
                if attempt is not None:
                    callbacks.finish_attempt(db, attempt, rules.LOST, now)
            ended(db, offer, now, "lost", wrap_up=False)
            count += 1
    return count


def active_offers(db: Session) -> list[AgentOffer]:
    return list(db.exec(select(AgentOffer).where(AgentOffer.status.in_(ACTIVE_OFFER_STATUSES))).all())
