"""Every outbound SMS is a row here before anything is queued, and the numbers that
must not be texted.

A message is unique on (purpose, dedupe_key) — e.g. ("survey_invite", "42") — so a
retried request or a second enqueue finds the row that exists and cannot send twice.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models.db import utcnow


class MessageStatus(str, Enum):
    PENDING = "pending"            # waiting for a worker (or for not_before)
    RETRY = "retry"                # a worker failed transiently; next_attempt_at says when
    SENDING = "sending"            # claimed by one worker; the REST call is in flight
    SENT = "sent"                  # Twilio took it (its SID is stored)
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"              # Twilio or we gave up; error_code says why
    SUPPRESSED = "suppressed"      # never sent: opted out, or SMS unsafe on the case
    OPTED_OUT = "opted_out"        # Twilio refused: 21610
    INVALID_NUMBER = "invalid_number"  # Twilio refused: 21211 / 21614


# Statuses a worker may claim the row from.
CLAIMABLE = (MessageStatus.PENDING, MessageStatus.RETRY)


class OutboundMessage(SQLModel, table=True):
    __tablename__ = "outbound_messages"
    __table_args__ = (UniqueConstraint("purpose", "dedupe_key", name="uq_outbound_purpose_key"),
                      # reports: texts sent per day and how many were delivered, from the index alone (0723)
                      Index("ix_outbound_messages_sent_status", "sent_at", "status"))

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=40, index=True)
    dedupe_key: str = Field(max_length=100)
    # "sms" (to_number) or "email" (to_email, subject; services/email_sender.py sends it)
    channel: str = Field(default="sms", max_length=10)
    to_number: str = Field(max_length=20, index=True)
    to_email: str | None = Field(default=None, max_length=254, index=True)
    subject: str | None = Field(default=None, max_length=200)
    from_number: str = Field(max_length=20)
    body: str = Field(max_length=1600)
    status: str = Field(default=MessageStatus.PENDING.value, max_length=20, index=True)
    note: str | None = Field(default=None, max_length=200)  # why suppressed / failed, no personal data
    twilio_sid: str | None = Field(default=None, max_length=34, unique=True)
    twilio_status: str | None = Field(default=None, max_length=20)
    error_code: int | None = None
    attempts: int = 0
    # a send timed out or its worker died: Twilio may have the message, so look
    # before sending again
    uncertain: bool = False
    not_before: datetime | None = None
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


class SmsRecipient(SQLModel, table=True):
    """What we know about texting a number: opted out (STOP / 21610) or not a mobile."""

    __tablename__ = "sms_recipients"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True, index=True)
    opted_out: bool = False
    invalid: bool = False
    source: str | None = Field(default=None, max_length=40)
    changed_at: datetime = Field(default_factory=utcnow)


class EmailRecipient(SQLModel, table=True):
    """An email address that asked for no more mail from the desk (unsubscribe link,
    List-Unsubscribe, or a permanent refusal by its mail server)."""

    __tablename__ = "email_recipients"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # lower case
    opted_out: bool = False
    source: str | None = Field(default=None, max_length=40)
    changed_at: datetime = Field(default_factory=utcnow)


def record_email_opt_out(db: Session, email: str, source: str) -> None:
    email = email.lower()
    row = db.exec(select(EmailRecipient).where(EmailRecipient.email == email)).first() or EmailRecipient(email=email)
    row.opted_out, row.source, row.changed_at = True, source, utcnow()
    db.add(row)


def is_email_opted_out(db: Session, email: str) -> bool:
    row = db.exec(select(EmailRecipient).where(EmailRecipient.email == email.lower())).first()
    return bool(row and row.opted_out)


def _recipient(db: Session, phone: str) -> SmsRecipient:
    row = db.exec(select(SmsRecipient).where(SmsRecipient.phone == phone)).first()
    return row or SmsRecipient(phone=phone)


def record_opt_out(db: Session, phone: str, source: str) -> None:
    row = _recipient(db, phone)
    row.opted_out, row.source, row.changed_at = True, source, utcnow()
    db.add(row)


def record_opt_in(db: Session, phone: str, source: str) -> None:
    row = _recipient(db, phone)
    row.opted_out, row.source, row.changed_at = False, source, utcnow()
    db.add(row)


def record_invalid(db: Session, phone: str, source: str) -> None:
    row = _recipient(db, phone)
    row.invalid, row.source, row.changed_at = True, source, utcnow()
    db.add(row)


def is_opted_out(db: Session, phone: str) -> bool:
    row = db.exec(select(SmsRecipient).where(SmsRecipient.phone == phone)).first()
    return bool(row and row.opted_out)
