"""The Victim Voice Forum: who asked to hear about it, and the optional equality
monitoring answers of the web survey.

A consent is personal data kept for one purpose (telling the victim about the forum);
it names the channel the victim said yes on and the contact to use, and is withdrawn
by a reply or the link in any message about it.

An equality answer is kept apart from the survey it came with: no survey, engagement,
officer or time of day, only the month, borough, stage and rating, so a row cannot be
joined back to a person.  It is only ever read in aggregates (reports/equality.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db import utcnow


class ForumConsent(SQLModel, table=True):
    __tablename__ = "forum_consents"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(index=True, unique=True)  # one answer per survey
    channel: str = Field(max_length=10)  # sms | email | web: where the victim said yes
    phone: str | None = Field(default=None, max_length=20)  # E.164, the contact to use
    email: str | None = Field(default=None, max_length=254)
    borough: str = Field(max_length=100)  # organisers plan forums by area
    consented_at: datetime = Field(default_factory=utcnow, index=True)
    withdrawn_at: datetime | None = Field(default=None, index=True)
    withdrawn_via: str | None = Field(default=None, max_length=10)  # link | sms | retention


class EqualityResponse(SQLModel, table=True):
    __tablename__ = "equality_responses"

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # YYYY-MM of the contact, nothing finer
    borough: str = Field(max_length=100)
    stage: str = Field(max_length=30)
    rating: int
    age_band: str = Field(max_length=20)  # flows.equality.AGE_BANDS
    ethnicity: str = Field(max_length=40)  # flows.equality.ETHNICITIES (ONS 2021)
