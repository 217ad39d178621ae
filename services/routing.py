"""The router: rings a free agent for each caller waiting in the desk queue and for
each callback that is due.

``request_routing(call_sid)`` (a caller joined the queue) and ``request_dispatch()``
(an agent became free, a callback fell due) enqueue one ``dispatch`` job.  A dispatch
holds a Redis lock while it chooses, so two workers never ring the same agent or
offer the same caller twice; the choice itself is flows.dispatch.assign (oldest work
first, longest-idle matching agent).  Each ring is an ``AgentOffer`` row committed
before the REST call, and every webhook about it names the offer in its URL.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, select
from twilio.base.exceptions import TwilioException, TwilioRestException

from desk import clock, settings
from desk.queues import queue
from desk.redis_conn import connect
from flows import dispatch as rules
from models.agents import Agent, AgentOffer, OfferKind, OfferStatus
from models.db import session
from services import agent_state, call_status, callbacks, waiting
from services.twilio_client import make_client

log = logging.getLogger(__name__)

LOCK_NAME = "desk:dispatch"
# the job entry points (workers/router.py), queued by name: services never import workers
DISPATCH_JOB = "workers.router.dispatch"
PULL_JOB = "workers.router.pull_caller"
# Twilio refused the agent's address itself: ringing it again cannot work.
BAD_ADDRESS_CODES = {21211, 21214, 21217, 21401, 21407, 13223}


# --- asking for a dispatch ---------------------------------------------------------

def request_routing(call_sid: str) -> None:
    """A caller has joined the desk queue: find them an agent."""
    log.info("routing requested for call %s", call_sid)
    request_dispatch()


def request_dispatch(delay: timedelta | None = None, at: datetime | None = None) -> None:
    q = queue(settings.current(), "outbound")
    if at is not None:
        q.enqueue_at(at, DISPATCH_JOB, job_timeout=120)
    elif delay:
        q.enqueue_in(delay, DISPATCH_JOB, job_timeout=120)
    else:
        q.enqueue(DISPATCH_JOB, job_timeout=120)


def schedule_callbacks() -> None:
    """A callback was recorded (or changed): let the router look for a free agent."""
    request_dispatch()


# --- the dispatch job's work ---------------------------------------------------------

def dispatch() -> int:
    """One routing pass; returns how many agents were rung."""
    lock = connect(settings.current()).lock(LOCK_NAME, timeout=120, blocking_timeout=30)
    if not lock.acquire():
        log.warning("dispatch: another dispatch held the lock for 30s; skipping this pass")
        return 0
    try:
        return _dispatch_once(session())
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - lock expired under us: nothing to release
            log.warning("dispatch: lock had expired before release")


def _dispatch_once(db: Session) -> int:
    now = clock.now()
    agent_state.finish_wrap_ups(db, now)
    agent_state.expire_stale(db, now)
    agent_state.close_lost(db, now)
    db.flush()
    offers = agent_state.active_offers(db)
    callbacks.recover(db, now, {o.callback_id for o in offers if o.callback_id})
    db.commit()

    ringing_agents = {o.agent_id for o in offers}
    taken_callers = {o.caller_call_sid for o in offers if o.caller_call_sid}
    taken_callbacks = {o.callback_id for o in offers if o.callback_id}

    work = [w for w in waiting.queue_work(db) if w.key not in taken_callers]
    work += [w for w in callbacks.due_work(db, now) if int(w.key) not in taken_callbacks]
    if not work:
        return 0
    work = [_with_tried(db, w) for w in work]

    agents = db.exec(select(Agent)).all()
    infos = [rules.AgentInfo(a.id, a.state, a.state_changed_at, tuple(a.skills)) for a in agents]
    by_id = {a.id: a for a in agents}
    rung = 0
    for item, info in rules.assign(work, infos, ringing_agents):
        if ring(db, item, by_id[info.id], now):
            rung += 1
    return rung


def _with_tried(db: Session, work: rules.Work) -> rules.Work:
    """Agents who already missed this caller (or this callback) are tried last."""
    query = select(AgentOffer.agent_id).where(AgentOffer.status == OfferStatus.MISSED.value)
    if work.kind == OfferKind.QUEUE.value:
        query = query.where(AgentOffer.caller_call_sid == work.key)
    else:
        query = query.where(AgentOffer.callback_id == int(work.key))
    tried = frozenset(db.exec(query).all())
    return rules.Work(work.kind, work.key, work.joined_at, work.language, work.vawg, tried)


# --- ringing an agent --------------------------------------------------------------

def ring(db: Session, work: rules.Work, agent: Agent, now: datetime) -> bool:
    """Record the offer, then place the REST call to the agent."""
    offer = AgentOffer(agent_id=agent.id, kind=work.kind, status=OfferStatus.RINGING.value, created_at=now)
    if work.kind == OfferKind.QUEUE.value:
        offer.caller_call_sid = work.key
    else:
        offer.callback_id = int(work.key)
        callbacks.claim(db, offer.callback_id, agent.id)
    db.add(offer)
    db.commit()  # the webhooks may arrive before calls.create returns

    cfg = settings.current()
    ring_seconds = settings.current()["AGENT_RING_SECONDS"]
    try:
        call = make_client(cfg).calls.create(
            to=agent.address,
            from_=cfg["TWILIO_PHONE_NUMBER"],
            url=settings.public_url(f"/ivr/agent/answer?offer={offer.id}"),
            method="POST",
            status_callback=settings.public_url(f"/ivr/agent/status?offer={offer.id}"),
            status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            timeout=ring_seconds,
        )
    except TwilioRestException as exc:
        _ring_failed(db, offer, agent, now, f"twilio_{exc.code or exc.status}", exc.code in BAD_ADDRESS_CODES)
        return False
    except (TwilioException, OSError) as exc:  # timeouts, connection errors
        log.warning("ringing agent %s failed: %s", agent.id, type(exc).__name__)
        _ring_failed(db, offer, agent, now, "twilio_unreachable", False)
        return False
    offer.agent_call_sid = call.sid
    db.add(offer)
    db.commit()
    log.info("rang agent %s for %s work (offer %s)", agent.id, work.kind, offer.id)
    return True


def _ring_failed(db: Session, offer: AgentOffer, agent: Agent, now: datetime, why: str,
                 bad_address: bool) -> None:
    offer.status, offer.outcome, offer.ended_at = OfferStatus.FAILED.value, why[:40], now
    db.add(offer)
    if offer.callback_id:
        callbacks.release(db, offer.callback_id)
    if bad_address:
        # a number Twilio cannot dial would fail every time: take the agent off duty
        agent_state.change_state(db, agent, "offline", now)
        log.warning("agent %s cannot be rung (%s): now offline", agent.id, why)
    db.commit()
    # Bad address: try the next agent now.  Anything else (rate limit, Twilio down):
    # try again shortly rather than hammer it; the periodic sweep is the backstop.
    request_dispatch(delay=None if bad_address else timedelta(seconds=10))


# --- taking one particular caller out of the queue ---------------------------------

def request_pull(offer_id: int) -> None:
    queue(settings.current(), "outbound").enqueue(PULL_JOB, offer_id, job_timeout=60)


def pull_caller(offer_id: int) -> bool:
    """Dequeue the offer's caller by CallSid (Twilio's Queue Member resource): Twilio
    takes that call out of the desk queue and runs /ivr/agent/bridge on it, which
    dials the agent waiting in their private queue.  <Dial><Queue> could only take
    the caller at the front, which is someone else when we matched past them."""
    db, now = session(), clock.now()
    offer = db.get(AgentOffer, offer_id)
    if offer is None or offer.status != OfferStatus.ACCEPTED.value or not offer.caller_call_sid:
        return False
    cfg = settings.current()
    try:
        client = make_client(cfg)
        queue_sid = waiting.queue_sid(db, offer.caller_call_sid) or _desk_queue_sid(client)
        if queue_sid is None:
            raise LookupError("desk queue not found")
        client.queues(queue_sid).members(offer.caller_call_sid).update(
            url=settings.public_url(f"/ivr/agent/bridge?offer={offer.id}"), method="POST")
    except (TwilioException, OSError, LookupError) as exc:
        # Most likely the caller has just left the queue.  The agent's hold music
        # sees the withdrawn offer and lets them go.
        log.info("offer %s: could not take the caller out of the queue: %s", offer.id,
                 getattr(exc, "code", None) or type(exc).__name__)
        agent_state.withdrawn(db, offer, now, "pull_failed")
        db.commit()
        _end_if_gone(db, offer.caller_call_sid, now)
        request_dispatch()
        return False
    return True


def _end_if_gone(db: Session, call_sid: str, now: datetime) -> None:
    """The caller could not be taken out of the queue: if Twilio says their call is over
    (its status callback lost), end it here, or the next dispatch offers them again."""
    try:
        call_status.end_if_over(db, make_client(settings.current()), call_sid, now)
    except (TwilioException, OSError):
        pass  # the periodic reconcile asks again


def _desk_queue_sid(client) -> str | None:
    """The desk queue's QU… sid, found by its friendly name and cached in Redis."""
    name = settings.current()["DESK_QUEUE_NAME"]
    cache = connect(settings.current())
    key = f"desk:queue-sid:{name}"
    cached = cache.get(key)
    if cached:
        return cached.decode()
    for q in client.queues.stream(page_size=100):
        if q.friendly_name == name:
            cache.set(key, q.sid, ex=24 * 3600)
            return q.sid
    return None


# --- a callback with voicemail consent: the victim's call placed over REST ---------

def place_victim_call(offer_id: int, phone: str, ring_seconds: int) -> str:
    """Ring the victim for a callback that may leave a voicemail, with Twilio's
    asynchronous AMD: the answered call runs /callback/answered (bridged to the agent
    at once, nobody waits for a verdict) and the verdict comes later to /callback/amd.
    <Number> has no asynchronous AMD, hence a REST call.  Returns the CallSid; Twilio
    errors propagate for the webhook to handle."""
    cfg = settings.current()
    call = make_client(cfg).calls.create(
        to=phone, from_=cfg["TWILIO_PHONE_NUMBER"],
        url=settings.public_url(f"/ivr/agent/callback/answered?offer={offer_id}"), method="POST",
        status_callback=settings.public_url(f"/ivr/agent/callback/victim-status?offer={offer_id}"),
        status_callback_method="POST", status_callback_event=["completed"],
        timeout=ring_seconds,
        machine_detection="DetectMessageEnd", async_amd="true",
        async_amd_status_callback=settings.public_url(f"/ivr/agent/callback/amd?offer={offer_id}"),
        async_amd_status_callback_method="POST",
    )
    return call.sid


def replace_call_twiml(call_sid: str, twiml: str) -> None:
    """Switch a live call to new TwiML (e.g. the voicemail once a machine is heard)."""
    make_client(settings.current()).calls(call_sid).update(twiml=twiml)
