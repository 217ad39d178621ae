"""The desk inbox: what victims text that the conversation does not consume.

A free-text message, a comment outside a survey, anything after a survey closed, the
second unclear reply to a rating question: each is kept here for an agent to read,
answer (through the outbox) or act on (a call-back), then mark done.  The phone number
is kept (E.164, as surveys and call-backs keep it) so a reply can be sent; the cases
registered to it when the text came are linked by id.  Bodies are personal data: the
retention job anonymises them with the rest (services/retention.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from models.db import utcnow

NEW, ASSIGNED, DONE = "new", "assigned", "done"


class InboxMessage(SQLModel, table=True):
    __tablename__ = "inbox_messages"
    # the open lists (oldest first) and the done list (newest first, migration 0700)
    __table_args__ = (Index("ix_inbox_status_received", "status", "received_at"),
                      Index("ix_inbox_status_done", "status", "done_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=34, unique=True)
    phone: str = Field(max_length=20, index=True)  # E.164, to reply; "anonymised" after retention
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime = Field(default_factory=utcnow, index=True)
    # why it is here: free_text | after_survey | survey_unclear | stop_mentioned
    reason: str = Field(max_length=30)
    urgent: bool = False  # words of danger or distress (flows/speech.DISTRESS)
    survey_id: int | None = None
    case_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    acknowledged: bool = False  # this message got the conversation's one acknowledgement
    status: str = Field(default=NEW, max_length=10)  # new | assigned | done
    assigned_to: int | None = Field(default=None, index=True)  # staff_users.id
    read_at: datetime | None = None  # first opened by an agent
    done_at: datetime | None = None
    done_by: int | None = None
