"""What the desk looks like right now, and how today has gone so far.

Every query is bounded by live state or by today's rows, so the wallboard costs the
same in a year as on the first day:

- callers waiting by ``ix_calls_waiting_since`` (only waiting callers have it set);
- agents (a few dozen rows) and their active offers by ``ix_agent_offers_status``;
- callbacks by ``ix_callback_requests_status`` (only pending ones are read);
- today's calls by ``ix_calls_kpi`` (``started_at`` from the start of the London day,
  the other columns read from the index);
- today's offers by ``ix_agent_offers_created_at`` (migration 0630_wallboard_history);
- urgent unread texts among the open ones (new, assigned) by ``ix_inbox_status_received``,
  never the done ones, which pile up for years.

Nothing here names or identifies a caller: counts, agents' names and durations only,
so a wall screen may show all of it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from desk.clock import LONDON
from models.agents import ACTIVE_OFFER_STATUSES, AGENT_STATES, Agent, AgentOffer, OfferKind, OfferStatus
from models.callbacks import CallbackRequest, CallbackStatus
from models.calls import Call
from models.cases import Case
from models.inbox import ASSIGNED, NEW, InboxMessage
from reports.london import london_date, start_of_day

STATE_ORDER = {"busy": 0, "wrap_up": 1, "available": 2, "offline": 3}


@dataclass(frozen=True)
class Thresholds:
    """Where a figure turns amber ("warning") and red ("alert"); settings WALLBOARD_*."""
    waiting_amber: int = 3
    waiting_red: int = 6
    longest_wait_amber: int = 60
    longest_wait_red: int = 180
    overdue_amber: int = 1
    overdue_red: int = 5
    service_level_amber: float = 0.8
    service_level_red: float = 0.6

    @classmethod
    def from_settings(cls, cfg) -> Thresholds:
        return cls(cfg["WALLBOARD_WAITING_AMBER"], cfg["WALLBOARD_WAITING_RED"],
                   cfg["WALLBOARD_LONGEST_WAIT_AMBER_SECONDS"], cfg["WALLBOARD_LONGEST_WAIT_RED_SECONDS"],
                   cfg["WALLBOARD_OVERDUE_CALLBACKS_AMBER"], cfg["WALLBOARD_OVERDUE_CALLBACKS_RED"],
                   cfg["WALLBOARD_SERVICE_LEVEL_AMBER"], cfg["WALLBOARD_SERVICE_LEVEL_RED"])


@dataclass(frozen=True)
class Wallboard:
    at: datetime
    callers_waiting: int
    longest_wait_seconds: int | None
    agents: dict[str, int] = field(default_factory=dict)  # state -> count, every state listed
    callbacks_due: int = 0
    callbacks_overdue: int = 0
    callbacks_pending: int = 0
    # today so far (London day) and the last hour
    service_level_seconds: int = 60
    offered_today: int = 0
    answered_today: int = 0
    abandoned_today: int = 0
    service_level_today: float | None = None
    service_level_last_hour: float | None = None
    # one row per agent: name, state, seconds in it, current call's seconds, handled today
    agent_rows: list[dict] = field(default_factory=list)
    # {"waiting": {"all", "vawg", "polish"}, "callbacks": {...}} (callbacks: pending ones)
    by_skill: dict[str, dict[str, int]] = field(default_factory=dict)
    # figure -> {"level": "ok" | "amber" | "red", "text": what the colour means}
    levels: dict[str, dict[str, str]] = field(default_factory=dict)
    # sentences saying why callers wait (empty when nobody waits)
    why_waiting: list[str] = field(default_factory=list)
    # Urgent texts in the desk inbox that nobody has opened yet (None: not shown)
    urgent_unread_texts: int | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def in_window_now(hhmm: str):
    """SQL: the callback's own window (London "HH:MM", possibly past midnight) holds HHMM."""
    start, end = CallbackRequest.window_start, CallbackRequest.window_end
    return or_(start.is_(None), end.is_(None),
               and_(start <= end, start <= hhmm, end > hhmm),
               and_(start > end, or_(start <= hhmm, end > hhmm)))


def wallboard(db: Session, now: datetime, overdue_minutes: int = 30, *, sl_seconds: int = 60,
              thresholds: Thresholds | None = None) -> Wallboard:
    """Callers waiting and the longest wait; agents by state and one by one; callbacks
    that are due (pending, retry time come, inside the victim's window now) and those
    due for more than OVERDUE_MINUTES (by their retry time, else when the caller
    joined); today's calls; why callers wait."""
    thresholds = thresholds or Thresholds()
    waiting_calls = db.exec(select(Call.waiting_since, Call.language, Call.verified_case_id)
                            .where(Call.waiting_since.is_not(None), Call.ended_at.is_(None))).all()
    waiting = len(waiting_calls)
    oldest = min((row[0] for row in waiting_calls), default=None)
    longest = max(0, int((now - oldest).total_seconds())) if oldest is not None else None

    agent_list = db.exec(select(Agent)).all()
    agents = {state: 0 for state in AGENT_STATES}
    for agent in agent_list:
        agents[agent.state] = agents.get(agent.state, 0) + 1
    offers = db.exec(select(AgentOffer).where(AgentOffer.status.in_(ACTIVE_OFFER_STATUSES))).all()

    hhmm = now.astimezone(LONDON).strftime("%H:%M")
    came_due = func.coalesce(CallbackRequest.next_attempt_at, CallbackRequest.queue_joined_at)
    pending = CallbackRequest.status == CallbackStatus.PENDING
    due = and_(pending, or_(CallbackRequest.next_attempt_at.is_(None), CallbackRequest.next_attempt_at <= now),
               in_window_now(hhmm))
    late = now - timedelta(minutes=overdue_minutes)
    total, due_count, overdue = db.exec(select(
        func.count(),
        func.coalesce(func.sum(_flag(due)), 0),
        func.coalesce(func.sum(_flag(and_(due, came_due <= late))), 0),
    ).where(pending)).one()
    pending_callbacks = db.exec(select(CallbackRequest.language, CallbackRequest.verified_case_id)
                                .where(pending)).all()

    today = _today(db, now, sl_seconds)
    rows = _agent_rows(db, now, agent_list, offers)
    by_skill = _by_skill(db, waiting_calls, pending_callbacks)
    board = Wallboard(at=now, callers_waiting=waiting, longest_wait_seconds=longest, agents=agents,
                      callbacks_due=int(due_count), callbacks_overdue=int(overdue), callbacks_pending=total,
                      service_level_seconds=sl_seconds, agent_rows=rows, by_skill=by_skill,
                      urgent_unread_texts=urgent_unread_texts(db), **today)
    levels = _levels(board, thresholds)
    why = explain(board, agent_list, offers, [row[1] for row in waiting_calls])
    return replace(board, levels=levels, why_waiting=why)


def urgent_unread_texts(db: Session) -> int:
    """Urgent texts in the desk inbox nobody has opened yet (services/inbox.py files them)."""
    # the open statuses by name (not "!= done"): a range of ix_inbox_status_received,
    # so the count reads the open texts only, however many are done
    return db.exec(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.urgent.is_(True), InboxMessage.read_at.is_(None), InboxMessage.status.in_((NEW, ASSIGNED)))).one()


def _flag(condition):
    return case((condition, 1), else_=0)


def _today(db: Session, now: datetime, sl_seconds: int) -> dict:
    """Calls offered, answered and abandoned since the London day began; the service
    level today and over the last hour (calls counted by when they started, as the KPIs)."""
    day_start = start_of_day(london_date(now))
    hour_ago = now - timedelta(hours=1)
    offered = Call.queue_joined_at.is_not(None)
    answered = and_(offered, Call.outcome == "connected")
    in_sl = and_(answered, Call.wait_seconds <= sl_seconds)
    recent = Call.started_at >= hour_ago
    row = db.exec(select(func.sum(_flag(offered)), func.sum(_flag(answered)),
                         func.sum(_flag(and_(offered, Call.outcome == "abandoned"))),
                         func.sum(_flag(in_sl)),
                         func.sum(_flag(and_(answered, recent))), func.sum(_flag(and_(in_sl, recent))))
                  .where(Call.started_at >= day_start, Call.started_at <= now)).one()
    offered_n, answered_n, abandoned_n, in_sl_n, answered_hour, in_sl_hour = (int(v or 0) for v in row)
    return {"offered_today": offered_n, "answered_today": answered_n, "abandoned_today": abandoned_n,
            "service_level_today": in_sl_n / answered_n if answered_n else None,
            "service_level_last_hour": in_sl_hour / answered_hour if answered_hour else None}


def _agent_rows(db: Session, now: datetime, agent_list, offers) -> list[dict]:
    day_start = start_of_day(london_date(now))
    handled = dict(db.exec(select(AgentOffer.agent_id, func.count())
                           .where(AgentOffer.created_at >= day_start, AgentOffer.answered_at.is_not(None))
                           .group_by(AgentOffer.agent_id)).all())
    live = {o.agent_id: o for o in offers}
    rows = []
    for agent in sorted(agent_list, key=lambda a: (STATE_ORDER.get(a.state, 9), a.name.lower())):
        offer = live.get(agent.id)
        talking = offer is not None and offer.status != OfferStatus.RINGING.value and offer.answered_at
        rows.append({
            "name": agent.name,
            "state": agent.state,
            "being_rung": offer is not None and offer.status == OfferStatus.RINGING.value,
            "state_seconds": max(0, int((now - agent.state_changed_at).total_seconds())),
            "call_seconds": max(0, int((now - offer.answered_at).total_seconds())) if talking else None,
            "handled_today": int(handled.get(agent.id, 0)),
        })
    return rows


def _by_skill(db: Session, waiting_calls, pending_callbacks) -> dict[str, dict[str, int]]:
    case_ids = {row[2] for row in waiting_calls} | {row[1] for row in pending_callbacks}
    case_ids.discard(None)
    vawg = set(db.exec(select(Case.id).where(Case.id.in_(case_ids), Case.vawg.is_(True))).all()) if case_ids else set()

    def split(pairs) -> dict[str, int]:
        pairs = list(pairs)
        return {"all": len(pairs), "vawg": sum(1 for _, c in pairs if c in vawg),
                "polish": sum(1 for lang, _ in pairs if lang == "pl")}

    return {"waiting": split((row[1], row[2]) for row in waiting_calls),
            "callbacks": split((row[0], row[1]) for row in pending_callbacks)}


def _secs(seconds: int) -> str:
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _count_level(value: int, amber: int, red: int, noun: str) -> dict[str, str]:
    if value >= red:
        return {"level": "red", "text": f"Alert: {red} or more {noun}"}
    if value >= amber:
        return {"level": "amber", "text": f"Warning: {amber} or more {noun}"}
    return {"level": "ok", "text": f"OK: fewer than {amber} {noun}"}


def _sl_level(value: float | None, t: Thresholds) -> dict[str, str]:
    if value is None:
        return {"level": "ok", "text": "No answered calls yet"}
    if value < t.service_level_red:
        return {"level": "red", "text": f"Alert: below {t.service_level_red:.0%}"}
    if value < t.service_level_amber:
        return {"level": "amber", "text": f"Warning: below {t.service_level_amber:.0%}"}
    return {"level": "ok", "text": f"OK: at or above {t.service_level_amber:.0%}"}


def _levels(board: Wallboard, t: Thresholds) -> dict[str, dict[str, str]]:
    longest = board.longest_wait_seconds or 0
    if longest >= t.longest_wait_red:
        wait = {"level": "red", "text": f"Alert: {_secs(t.longest_wait_red)} or longer"}
    elif longest >= t.longest_wait_amber:
        wait = {"level": "amber", "text": f"Warning: {_secs(t.longest_wait_amber)} or longer"}
    else:
        wait = {"level": "ok", "text": f"OK: under {_secs(t.longest_wait_amber)}"}
    return {
        "callers_waiting": _count_level(board.callers_waiting, t.waiting_amber, t.waiting_red, "waiting"),
        "longest_wait_seconds": wait,
        "callbacks_overdue": _count_level(board.callbacks_overdue, t.overdue_amber, t.overdue_red, "overdue"),
        "service_level_today": _sl_level(board.service_level_today, t),
        "service_level_last_hour": _sl_level(board.service_level_last_hour, t),
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def explain(board: Wallboard, agent_list, offers, waiting_languages) -> list[str]:
    """Why callers are waiting, in sentences a supervisor can act on."""
    if board.callers_waiting == 0:
        return []
    available = [a for a in agent_list if a.state == "available"]
    busy, wrap = board.agents.get("busy", 0), board.agents.get("wrap_up", 0)
    if not available:
        if busy + wrap == 0:
            return ["No agent is on duty: callers wait until an agent goes available "
                    "(each can still leave the queue for a callback)."]
        return [f"No agent is free: {busy} on a call, {wrap} in wrap-up."]
    reasons = []
    ringing_queue = [o for o in offers if o.status == OfferStatus.RINGING.value and o.kind == OfferKind.QUEUE.value]
    ringing_callback = [o for o in offers if o.status == OfferStatus.RINGING.value
                        and o.kind == OfferKind.CALLBACK.value]
    if ringing_queue:
        reasons.append(_plural(len(ringing_queue), "offer is", "offers are")
                       + " ringing: an agent is being rung for a waiting caller and has not answered yet.")
    if ringing_callback:
        reasons.append(_plural(len(ringing_callback), "available agent is", "available agents are")
                       + " being rung to place a callback.")
    rung = {o.agent_id for o in offers}
    free = [a for a in available if a.id not in rung]
    polish_waiting = sum(1 for lang in waiting_languages if lang == "pl")
    on_duty = [a for a in agent_list if a.state != "offline"]
    if polish_waiting and free and not any("pl" in a.skills for a in free) \
            and any("pl" in a.skills for a in on_duty):
        reasons.append(_plural(polish_waiting, "Polish-speaking caller waits", "Polish-speaking callers wait")
                       + " for a Polish-speaking agent; none of them is free.")
    if free and not reasons:
        reasons.append(_plural(len(free), "agent is", "agents are") + " available but not being rung: "
                       "routing rings within a few seconds; if this lasts, check that the workers are running.")
    elif not free and not reasons:
        reasons.append("Every available agent is being rung.")
    return reasons

