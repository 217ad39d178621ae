"""The Victim Voice Forum: who asked to hear about it, and the optional equality
monitoring answers of the web survey.

A consent is personal data kept for one purpose (telling the victim about the forum);
it names the channel the victim said yes on and the contact to use, and is withdrawn
by a reply or the link in any message about it.

Equality answers are kept apart from the survey they came with, and not even as rows
of their own: each answer adds one to the count of its (month, borough, stage, rating,
age band, ethnicity), so there is no survey, engagement, officer, time or insertion
order to join back to a person.  Counts are only ever read in aggregates of at least
ten (reports/equality.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import utcnow


class ForumConsent(SQLModel, table=True):
    __tablename__ = "forum_consents"

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(index=True, unique=True)  # one answer per survey
    channel: str = Field(max_length=10)  # sms | email: how the organisers may contact the victim
    phone: str | None = Field(default=None, max_length=20)  # E.164, the contact to use
    email: str | None = Field(default=None, max_length=254)
    borough: str = Field(max_length=100)  # organisers plan forums by area
    consented_at: datetime = Field(default_factory=utcnow, index=True)
    withdrawn_at: datetime | None = Field(default=None, index=True)
    withdrawn_via: str | None = Field(default=None, max_length=10)  # link | sms | retention


class EqualityResponse(SQLModel, table=True):
    __tablename__ = "equality_responses"
    __table_args__ = (UniqueConstraint("month", "borough", "stage", "rating", "age_band", "ethnicity",
                                       name="uq_equality_cell"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # YYYY-MM of the contact, nothing finer
    borough: str = Field(max_length=100)
    stage: str = Field(max_length=30)
    rating: int
    age_band: str = Field(max_length=20)  # flows.equality.AGE_BANDS
    ethnicity: str = Field(max_length=40)  # flows.equality.ETHNICITIES (ONS 2021)
    count: int = 0  # answers with exactly these values
