"""Figures kept for the supervisors' reports."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db import utcnow


class KpiDay(SQLModel, table=True):
    """One settled London day's KPI sums (console/supervisor/reports/kpis.py): a past
    day's calls do not change, so a year of figures is 365 small rows, not a scan of
    every call in it."""
    __tablename__ = "kpi_days"

    day: date = Field(primary_key=True)
    service_level_seconds: int = Field(primary_key=True)
    counts: dict = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)
    # the texts' delivery counts are final too (reports/kpis.py: a day's calls are final
    # hours after it, its delivery reports only days later); until then read live (0721)
    sms_final: bool = True


class RatingPeriod(SQLModel, table=True):
    """A London day or month of rating counts for one date meaning: "contact" (the
    engagement's date, as the survey API filters) or "rated" (the rating's date, as the
    console filters).  Kept (``kept_at`` set) once no rating can join it any more
    (console/supervisor/reports/rating_periods.py says when); its counts are then in
    ``rating_counts``.  A contact day that is over but still has open surveys is kept
    *open*: its rows count the ratings given before ``counted_to``.  A late engagement
    reopens its contact day and month: ``version`` goes up and ``kept_at`` and
    ``counted_to`` back to None, so a count that missed it is not kept."""
    __tablename__ = "rating_periods"

    meaning: str = Field(primary_key=True, max_length=10)  # contact | rated
    period: str = Field(primary_key=True, max_length=5)  # day | month
    start: date = Field(primary_key=True)  # the day, or the month's first day
    version: int = 0
    kept_at: datetime | None = None
    not_before: datetime | None = None  # a day with open surveys: cannot settle before this
    counted_to: datetime | None = None  # an open day: its rows count the ratings given before this
    ratings: int | None = None  # a kept day's ratings, everyone's (the weekly trend's figures)
    rating_sum: int | None = None  # and the sum of their values


class RatingCount(SQLModel, table=True):
    """How many ratings of 1 to 5 one officer (under one name, in one borough) got in a
    kept (or open) period for engagements at one stage of the victim's journey: a month
    of the whole force is about a row per officer and stage."""
    __tablename__ = "rating_counts"
    __table_args__ = {"sqlite_with_rowid": False}  # the key is the table: a range reads no other page

    meaning: str = Field(primary_key=True, max_length=10)
    period: str = Field(primary_key=True, max_length=5)
    start: date = Field(primary_key=True)
    borough: str = Field(primary_key=True, max_length=100)
    officer_id: str = Field(primary_key=True, max_length=50)
    officer_name: str = Field(primary_key=True, max_length=60)
    stage: str = Field(primary_key=True, max_length=30)  # the engagement's stage of the journey (0701)
    rating_1: int = 0
    rating_2: int = 0
    rating_3: int = 0
    rating_4: int = 0
    rating_5: int = 0


class ResponseCount(SQLModel, table=True):
    """How many survey invitations about one officer's engagements at one stage, sent by one
    channel, reached the victim (``Survey.reached_at``) and how many of those were answered
    (rated), in a kept (or open) contact period: kept with the period's rating counts
    (meaning "contact"; reports/rating_periods.py says when), so the response rates read
    a row per officer, stage and channel a month instead of every survey and invitation."""
    __tablename__ = "response_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    period: str = Field(primary_key=True, max_length=5)  # day | month
    start: date = Field(primary_key=True)
    borough: str = Field(primary_key=True, max_length=100)
    officer_id: str = Field(primary_key=True, max_length=50)
    stage: str = Field(primary_key=True, max_length=30)
    channel: str = Field(primary_key=True, max_length=10)  # sms | email
    reached: int = 0
    answered: int = 0


class KpiQuarter(SQLModel, table=True):
    """One quarter-hour (0 = 00:00-00:15 London time, to 95) of a settled day kept in
    ``kpi_days``, as the interval reports count it (reports/intervals.py): written with
    the day's ``kpi_days`` row, so a year by hour of day sums these rows, not a year of
    calls.  Only quarters with a call, a put-through or a wrap-up have a row."""
    __tablename__ = "kpi_quarters"

    service_level_seconds: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    offered: int = 0
    answered: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0
    wait_sum: int = 0
    wait_known: int = 0
    talk_sum: float = 0.0
    talked: int = 0
    wrap_sum: float = 0.0
    wraps: int = 0
