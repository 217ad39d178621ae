"""Delivery reports that never reached the desk, asked of Twilio instead.

Twilio does not send a status callback again: a text's "delivered" (or "undelivered")
lost while the database was away left the text "sent" for ever, so a survey invitation
never counted as reaching the victim (response rates, and a contact day kept open
until the survey expires) and an undelivered text looked sent.  ``reconcile`` (the
periodic job workers/outbox.py:reconcile_deliveries) asks Twilio about texts sent over
an hour ago with no final report, for up to three days, and records what Twilio says
exactly as the callback would have (``outbox.apply_delivery_status``).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from models.outbox import MessageStatus, OutboundMessage
from services.outbox import apply_delivery_status
from services.twilio_client import records

log = logging.getLogger(__name__)

QUIET = timedelta(hours=1)      # a report is normally in within seconds to minutes
GIVE_UP = timedelta(days=3)     # Twilio's own "sent" may stay for good on some networks
BATCH = 100                     # texts asked about per run, the least recently asked first


def quiet_texts(db: Session, now: datetime) -> list[str]:
    """MessageSids of texts still "sent", sent between GIVE_UP and QUIET ago, not asked
    about in the last QUIET."""
    return list(db.exec(select(OutboundMessage.twilio_sid).where(
        OutboundMessage.status == MessageStatus.SENT.value, OutboundMessage.twilio_sid.is_not(None),
        OutboundMessage.sent_at > now - GIVE_UP, OutboundMessage.sent_at < now - QUIET,
        OutboundMessage.updated_at < now - QUIET).order_by(OutboundMessage.updated_at).limit(BATCH)).scalars())


def reconcile(db: Session, client, now: datetime) -> int:
    """Record the final statuses Twilio has for quiet texts; how many were recorded.
    A text still without one is asked about again after QUIET.  Twilio away or
    refusing: the rest wait for the next run."""
    recorded = 0
    for sid, found in records(quiet_texts(db, now), lambda sid: client.messages(sid).fetch(), "quiet texts"):
        if found is not None:  # None: Twilio deleted it (its logs can be deleted)
            apply_delivery_status(db, sid, found.status, found.error_code)
        # still "sent": to the back of the line; otherwise its status is recorded now
        still_sent = db.execute(update(OutboundMessage).where(
            OutboundMessage.twilio_sid == sid, OutboundMessage.status == MessageStatus.SENT.value)
            .values(updated_at=now)).rowcount
        db.commit()
        if not still_sent:
            recorded += 1
            log.info("text %s: %s, from Twilio's record (its delivery report never came)", sid, found.status)
    return recorded
