"""Who is waiting in the desk queue, read from the call log (models/calls.py).

The voice side sets ``Call.waiting_since`` while a caller is in the queue and clears
it when they leave; ``queue_joined_at`` is when they *first* joined, which is the
order callers (and callbacks) are served in.  This module also records, on the
call log, the moment an agent is connected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from flows import dispatch as rules
from models.agents import AgentOffer, OfferStatus
from models.calls import Call, record_event
from models.cases import Case


@dataclass(frozen=True)
class CallerInfo:
    call_sid: str
    joined_at: datetime
    language: str
    verified: bool
    vawg: bool
    queue_sid: str | None


def _joined(call: Call) -> datetime:
    return call.queue_joined_at or call.waiting_since or call.started_at


def vawg_cases(db: Session, case_ids) -> set[int]:
    """Which of CASE_IDS the case system marked VAWG (a verified caller's or callback's
    case decides: a caller cannot say so themselves)."""
    ids = {i for i in case_ids if i is not None}
    if not ids:
        return set()
    return set(db.exec(select(Case.id).where(Case.id.in_(ids), Case.vawg.is_(True))).all())


def _info(call: Call, vawg: set[int]) -> CallerInfo:
    return CallerInfo(call.call_sid, _joined(call), call.language or "en", call.verified_case_id is not None,
                      call.verified_case_id in vawg, None)


def _waiting_calls(db: Session) -> list[Call]:
    calls = db.exec(select(Call).where(Call.waiting_since.is_not(None), Call.ended_at.is_(None))).all()
    return sorted(calls, key=lambda c: (_joined(c), c.id))


def queue_work(db: Session) -> list[rules.Work]:
    """Every caller waiting now, as work for the router, first joined first."""
    calls = _waiting_calls(db)
    vawg = vawg_cases(db, (c.verified_case_id for c in calls))
    return [rules.Work("queue", c.call_sid, _joined(c), c.language or "en", c.verified_case_id in vawg,
                       urgent=bool(((c.state or {}).get("vars") or {}).get("urgent")))
            for c in calls]


def caller_info(db: Session, call_sid: str | None, *, include_connected: bool = False) -> CallerInfo | None:
    """The caller if still waiting (or, with include_connected, known at all)."""
    if not call_sid:
        return None
    call = db.exec(select(Call).where(Call.call_sid == call_sid)).first()
    if call is None:
        return None
    if not include_connected and (call.waiting_since is None or call.ended_at is not None):
        return None
    return _info(call, vawg_cases(db, [call.verified_case_id]))


def is_first_waiting(db: Session, call_sid: str) -> bool:
    """Is this caller at the front of the queue, so <Dial><Queue> would take them?
    Callers already being connected to an agent are not counted."""
    connecting = set(db.exec(select(AgentOffer.caller_call_sid).where(
        AgentOffer.status.in_((OfferStatus.ACCEPTED.value, OfferStatus.CONNECTED.value)),
        AgentOffer.caller_call_sid.is_not(None), AgentOffer.caller_call_sid != call_sid)).all())
    ahead = [c for c in _waiting_calls(db) if c.call_sid not in connecting]
    return bool(ahead) and ahead[0].call_sid == call_sid


def queue_sid(db: Session, call_sid: str) -> str | None:
    """The Twilio queue the caller is in, if the call log knows it (else looked up by name)."""
    return None


def record_connected(db: Session, call_sid: str | None, agent_id: int, now: datetime) -> None:
    """The caller is through to an agent: out of the waiting list at once (so no
    second agent is rung for them), with the agent and the wait on the call log.
    The voice side's Enqueue action later adds its own "connected"; once per call."""
    if not call_sid:
        return
    call = db.exec(select(Call).where(Call.call_sid == call_sid)).first()
    if call is None:
        return
    waited = int((now - call.waiting_since).total_seconds()) if call.waiting_since else None
    record_event(db, call_sid, "connected", at=now, wait_seconds=waited, agent_id=agent_id)
    call.waiting_since = None
    call.agent_id = agent_id
    call.outcome = "connected"
    if waited is not None:
        call.wait_seconds = waited
    call.updated_at = now
    db.add(call)
