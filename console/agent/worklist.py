"""The callback worklist: in the order the queue promised (when each caller first
joined it), with a mark saying whether each callback is due, overdue, scheduled for
later or outside the victim's safe times."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, or_, select

from console import timefmt
from desk import clock, settings
from flows.phone import national
from models.callbacks import OPEN_STATUSES, CallbackAttempt, CallbackRequest, CallbackStatus
from services import callbacks as cb_rules


@dataclass
class Row:
    callback: CallbackRequest
    mark: str   # due | overdue | scheduled | outside_window | unsafe | in_progress | used_up
    label: str  # the mark in words
    can_call: bool

    @property
    def masked_number(self) -> str:
        return masked(self.callback.phone)


def masked(phone: str | None) -> str:
    """Enough of a number to tell rows apart and match a victim's file, no more: 07… 123."""
    if not phone:
        return "withheld"
    digits = "".join(ch for ch in national(phone) if ch.isdigit())
    return f"{digits[:2]}… {digits[-3:]}"


def visible(query, agent_id: int | None, everything: bool):
    """Agents see callbacks assigned to them or to nobody; supervisors see all."""
    if everything:
        return query
    return query.where(or_(CallbackRequest.agent_id.is_(None), CallbackRequest.agent_id == agent_id))


def open_rows(db: Session, agent_id: int | None, everything: bool) -> list[Row]:
    query = visible(select(CallbackRequest).where(CallbackRequest.status.in_(OPEN_STATUSES)), agent_id, everything)
    rows = db.exec(query.order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)).all()
    now = clock.now()
    return [mark(db, cb, now) for cb in rows]


def recent_for_agent(db: Session, agent_id: int, since: timedelta = timedelta(hours=12)) -> list[CallbackRequest]:
    """Callbacks this agent attempted lately (any status), newest first: to record outcomes on."""
    ids = db.exec(select(CallbackAttempt.callback_id).where(
        CallbackAttempt.agent_id == agent_id, CallbackAttempt.started_at >= clock.now() - since)).all()
    if not ids:
        return []
    return list(db.exec(select(CallbackRequest).where(CallbackRequest.id.in_(set(ids)))
                        .order_by(CallbackRequest.requested_at.desc())).all())


def mark(db: Session, cb: CallbackRequest, now: datetime) -> Row:
    if cb.status == CallbackStatus.IN_PROGRESS:
        return Row(cb, "in_progress", "being placed now", False)
    if not cb.safe_to_call:
        return Row(cb, "unsafe", "victim said calls are not safe", False)
    if cb.attempts >= cb_rules.policy().max_attempts:
        return Row(cb, "used_up", "every attempt used", False)
    if cb.next_attempt_at is not None and cb.next_attempt_at > now:
        return Row(cb, "scheduled", f"next attempt {timefmt.when(cb.next_attempt_at)}", cb_rules.safe_now(db, cb, now))
    safe = cb_rules.safe_now(db, cb, now)
    due_since = cb.next_attempt_at or cb.requested_at
    overdue_after = timedelta(minutes=settings.current()["CONSOLE_CALLBACK_OVERDUE_MINUTES"])
    overdue = now - due_since > overdue_after
    # Both at once is the row most at risk: late, and not to be rung until the window opens.
    if overdue and not safe:
        return Row(cb, "overdue", f"overdue by {timefmt.how_long(now - due_since)}; outside the victim's safe times",
                   False)
    if not safe:
        return Row(cb, "outside_window", "outside the victim's safe times", False)
    if overdue:
        return Row(cb, "overdue", f"overdue by {timefmt.how_long(now - due_since)}", True)
    return Row(cb, "due", "due now", True)
