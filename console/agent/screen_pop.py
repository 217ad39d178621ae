"""What an agent sees about the call routed to them now.

Case details appear only when the caller was verified on that case (Call or callback
``verified_case_id``); for anyone else the screen says "not verified" and shows
nothing from any case, so an agent cannot read one out to the wrong person.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from models.agents import ACTIVE_OFFER_STATUSES, AgentOffer, OfferKind
from models.callbacks import CallbackAttempt, CallbackRequest
from models.calls import Call
from models.cases import Case, CaseUpdate

HISTORY_LIMIT = 10


@dataclass
class ScreenPop:
    offer: AgentOffer
    kind: str  # "queue" | "callback"
    phone: str | None
    language: str
    vawg: bool = False
    call: Call | None = None
    callback: CallbackRequest | None = None
    case: Case | None = None  # only when verified
    case_updates: list[CaseUpdate] = field(default_factory=list)
    earlier_calls: list[Call] = field(default_factory=list)
    earlier_callbacks: list[CallbackRequest] = field(default_factory=list)
    # Safety: any "not safe to call" or "no voicemail" the victim ever gave on this number.
    unsafe_to_call: bool = False
    voicemail_allowed: bool | None = None
    windows: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"call:{self.call.id}" if self.call else f"callback:{self.callback.id}"


def current_offer(db: Session, agent_id: int) -> AgentOffer | None:
    """The agent's live offer (ringing, accepted or connected), newest first."""
    return db.exec(select(AgentOffer).where(AgentOffer.agent_id == agent_id,
                                            AgentOffer.status.in_(ACTIVE_OFFER_STATUSES))
                   .order_by(AgentOffer.created_at.desc(), AgentOffer.id.desc())).first()


def build(db: Session, offer: AgentOffer) -> ScreenPop | None:
    if offer.kind == OfferKind.QUEUE.value:
        call = db.exec(select(Call).where(Call.call_sid == offer.caller_call_sid)).first()
        if call is None:
            return None
        state_vars = (call.state or {}).get("vars") or {}
        pop = ScreenPop(offer, "queue", call.caller, call.language or "en",
                        vawg=bool(state_vars.get("vawg") or (call.state or {}).get("vawg")), call=call)
        case_id = call.verified_case_id
    else:
        cb = db.get(CallbackRequest, offer.callback_id) if offer.callback_id else None
        if cb is None:
            return None
        pop = ScreenPop(offer, "callback", cb.phone, cb.language or "en", callback=cb)
        case_id = cb.verified_case_id
    if case_id:
        pop.case = db.get(Case, case_id)
        if pop.case is not None:
            pop.case_updates = list(db.exec(select(CaseUpdate).where(CaseUpdate.case_id == case_id)
                                            .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())
                                            .limit(5)).all())
    if pop.phone:
        _history(db, pop)
    _safety(pop)
    return pop


def _history(db: Session, pop: ScreenPop) -> None:
    calls = select(Call).where(Call.caller == pop.phone)
    if pop.call is not None:
        calls = calls.where(Call.id != pop.call.id)
    pop.earlier_calls = list(db.exec(calls.order_by(Call.started_at.desc()).limit(HISTORY_LIMIT)).all())
    cbs = select(CallbackRequest).where(CallbackRequest.phone == pop.phone)
    if pop.callback is not None:
        cbs = cbs.where(CallbackRequest.id != pop.callback.id)
    pop.earlier_callbacks = list(db.exec(cbs.order_by(CallbackRequest.requested_at.desc())
                                         .limit(HISTORY_LIMIT)).all())


def _safety(pop: ScreenPop) -> None:
    requests = ([pop.callback] if pop.callback else []) + pop.earlier_callbacks
    pop.unsafe_to_call = any(not r.safe_to_call for r in requests)
    allowed = [r.voicemail_allowed for r in requests]
    if pop.case is not None:
        allowed.append(pop.case.voicemail_allowed)
        pop.windows = list(pop.case.safe_call_times or [])
    # one "no" anywhere wins: a message on a shared phone can put the victim at risk
    pop.voicemail_allowed = all(allowed) if allowed else None
    if pop.callback and pop.callback.window_start and pop.callback.window_end:
        pop.windows.insert(0, f"{pop.callback.window_start}-{pop.callback.window_end}")


def attempts_for(db: Session, callback_id: int) -> list[CallbackAttempt]:
    return list(db.exec(select(CallbackAttempt).where(CallbackAttempt.callback_id == callback_id)
                        .order_by(CallbackAttempt.attempt_no)).all())
