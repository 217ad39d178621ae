"""The rating survey: the contact it is about, the survey itself, and the inbound texts
we have already acted on.

What supervisors report on (officer, borough, date, rating, comment) is kept; the
victim's phone number stays on the engagement and survey only to route replies.
Inbound message bodies are not stored — only a comment, which is the victim's own
answer to "tell us why".
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, or_, update
from sqlmodel import Field, SQLModel

from models.db import utcnow


class Engagement(SQLModel, table=True):
    """One contact between an officer and a victim, as the case system reports it."""

    __tablename__ = "engagements"
    __table_args__ = (UniqueConstraint("officer_id", "victim_phone", "occurred_at",
                                       name="uq_engagement_officer_phone_time"),
                      # the ratings summary reads only this index (migrations 0414_ratings_cover, 0701)
                      Index("ix_engagements_ratings_cover", "occurred_at", "id", "borough", "officer_id",
                            "officer_name", "stage"))

    id: int | None = Field(default=None, primary_key=True)
    client_key: str | None = Field(default=None, max_length=100, unique=True)  # Idempotency-Key
    officer_id: str = Field(max_length=50, index=True)
    officer_name: str = Field(max_length=60)
    borough: str = Field(max_length=100, index=True)
    victim_phone: str = Field(max_length=20)  # E.164
    crime_reference: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # My Met Service (0650_my_met_service): where in the victim's journey the contact was,
    # and the email the victim gave, with how they want to be asked
    stage: str = Field(default="visit", max_length=30, index=True)  # flows.journey.STAGES
    victim_email: str | None = Field(default=None, max_length=254, index=True)  # lower case
    channel_preference: str = Field(default="sms", max_length=10)  # sms | email
    email_safe: bool = False  # the case system says mail to this address is safe to send
    language: str = Field(default="en", max_length=5)  # en | pl: the survey's wording


class Survey(SQLModel, table=True):
    """The survey sent about one engagement; its status is flows.sms_conversation's."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_rated", "rated_at", "rating", "engagement_id"),  # reports (0410_reports)
                      Index("ix_surveys_comment_at", "comment_at"),
                      Index("ix_surveys_engagement_rating", "engagement_id", "rating"),  # 0414_ratings_cover
                      Index("ix_surveys_reached_at", "reached_at"))  # response rates (0720)

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagements.id", unique=True, index=True)
    phone: str = Field(max_length=20, index=True)  # E.164, to find the survey a reply is for
    status: str = Field(default="awaiting_rating", max_length=20, index=True)
    # the invitation: "scheduled", "suppressed" (never sent; the QR link still works) or
    # "skipped" (this victim was asked recently or has a survey open); what happened to a
    # scheduled one is its outbox row's status (services/surveys.invitation_status)
    invitation: str = Field(default="scheduled", max_length=20)
    suppressed_reason: str | None = Field(default=None, max_length=40)  # opted_out | sms_unsafe | …
    channel: str | None = Field(default=None, max_length=10)  # sms | email: how the invitation goes
    reprompted: bool = False
    invited_at: datetime | None = Field(default=None, index=True)  # when the invitation goes out
    expires_at: datetime | None = None
    # when the invitation first reached the victim (a text reported delivered, an email the
    # mail server accepted), if that was before the survey expired: the response rates' "delivered"
    reached_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    rated_via: str | None = Field(default=None, max_length=10)  # sms | web
    comment: str | None = Field(default=None, max_length=1000)
    comment_at: datetime | None = None
    # the web survey's optional questions were answered (the answers are kept apart, models/forum.py)
    equality_answered: bool = False
    forum_answered: bool = False
    forum_asked_at: datetime | None = None  # the text survey asked the forum question (once per victim)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# The outbox purposes of a survey's invitation, by channel (its dedupe key is the survey's id).
INVITE_PURPOSES = {"sms": "survey_invite", "email": "survey_invite_email"}


def invitation_reached(purpose: str, dedupe_key: str, at: datetime):
    """The UPDATE noting that the invitation sent as PURPOSE/DEDUPE_KEY reached the victim
    at AT, or None for another message.  The first time only, and only while its survey
    can still be answered: a contact day whose surveys have all expired then never
    changes again (reports/rating_periods.py)."""
    if purpose not in INVITE_PURPOSES.values() or not dedupe_key.isdigit():
        return None
    return (update(Survey).where(Survey.id == int(dedupe_key), Survey.reached_at.is_(None),
                                 or_(Survey.expires_at.is_(None), Survey.expires_at > at))
            .values(reached_at=at))


class InboundMessage(SQLModel, table=True):
    """An inbound text we have handled, so a repeated webhook changes nothing twice.

    The body is not kept; ``reply`` is our own answer, given again to a retry."""

    __tablename__ = "inbound_messages"

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=34, unique=True)
    idempotency_token: str | None = Field(default=None, max_length=100, unique=True)
    from_pseudonym: str = Field(max_length=40)
    action: str | None = Field(default=None, max_length=30)  # keyword or survey outcome
    survey_id: int | None = Field(default=None, index=True)
    reply: str | None = Field(default=None, max_length=1600)
    received_at: datetime = Field(default_factory=utcnow)
