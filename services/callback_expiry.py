"""Callbacks that can never be placed are expired, with the reason, so they stop
holding a victim's number as "pending" for ever.

A request whose window never opens, whose number no longer rings, or that the desk
never reached is still pending CALLBACK_EXPIRY_DAYS after it was made; it is then
marked ``expired`` and from there follows the rules for finished callbacks
(services/retention.py).  One that an agent is working (in progress) is left alone.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, case, cast, literal, update
from sqlmodel import Session

from desk import settings
from models.batches import id_batches
from models.callbacks import CallbackRequest, CallbackStatus


def reason(days: int):
    """``last_outcome`` for an expired callback (SQL, as it depends on the attempts made)."""
    tried = (literal(f"expired: not reached within {days} days (") + cast(CallbackRequest.attempts, String)
             + literal(" attempts)"))
    return case((CallbackRequest.attempts > 0, tried), else_=literal(f"expired: never due within {days} days"))


def expire_pending(db: Session, before: datetime, size: int, dry_run: bool) -> int:
    """Expire callbacks requested before BEFORE and still pending; returns how many."""
    pending = [CallbackRequest.status == CallbackStatus.PENDING, CallbackRequest.requested_at < before]
    why = reason(settings.current()["CALLBACK_EXPIRY_DAYS"])
    done = 0
    for ids in id_batches(db, CallbackRequest, pending, size):
        changed = len(ids)
        if not dry_run:
            # still pending at the moment of the update: the router may have just taken one
            changed = db.execute(update(CallbackRequest).where(CallbackRequest.id.in_(ids), *pending)
                                 .values(status=CallbackStatus.EXPIRED, last_outcome=why)
                                 .execution_options(synchronize_session=False)).rowcount
            db.commit()
        done += changed
    return done
