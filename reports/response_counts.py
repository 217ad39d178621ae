"""Survey invitations that reached the victim, and how many of those were answered, by
contact day (the engagement's ``occurred_at``, London time), borough, officer, stage of
the journey and channel.

An invitation has reached the victim once ``Survey.reached_at`` is set (a text reported
delivered, an email the mail server accepted, while the survey could still be answered:
models/surveys.py); answered means rated, whichever way (text, web link or QR code).
Counted live here, and kept per day and month in ``response_counts`` with the contact
periods' rating counts: rating_periods keeps both with one lifecycle (settled, open,
reopened), rating_rollups reads both the same way.

A tally is a Counter keyed (borough, officer_id, stage, channel, REACHED or ANSWERED).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, delete, func, literal, or_
from sqlmodel import Session, select

from models.reports import ResponseCount
from models.surveys import Engagement, Survey
from reports import kept_spans
from reports.london import DayRange, as_date, day_of, london_date, start_of_day

REACHED, ANSWERED = "reached", "answered"
KEY = (Engagement.borough, Engagement.officer_id, Engagement.stage, Survey.channel)
KEPT_KEY = ("borough", "officer_id", "stage", "channel")


def _reached(*columns, before: datetime | None = None):
    """Surveys whose invitation reached the victim (before BEFORE), with their engagement."""
    query = (select(*columns).select_from(Survey).join(Engagement, Engagement.id == Survey.engagement_id)
             .where(Survey.reached_at.is_not(None)))
    return query.where(Survey.reached_at < before) if before is not None else query


def _answered(before: datetime | None = None):
    """SQL: 1 for a reached survey rated (before BEFORE, or at no known time), else 0."""
    rated = Survey.rating.is_not(None)
    if before is not None:
        rated = and_(rated, or_(Survey.rated_at.is_(None), Survey.rated_at < before))
    return func.sum(case((rated, 1), else_=0))


def _tally(rows) -> Counter:
    found: Counter = Counter()
    for borough, officer, stage, channel, reached, answered in rows:
        channel = channel or "unknown"  # set with every invitation; a row written by hand may lack it
        found[(borough, officer, stage, channel, REACHED)] += int(reached)
        found[(borough, officer, stage, channel, ANSWERED)] += int(answered or 0)
    return found


def _filtered(query, borough: str | None, officer_id: str | None):
    return query.where(*kept_spans.of(Engagement, borough, officer_id))


def by_day(db: Session, run: DayRange, before: datetime | None = None) -> dict[date, Counter]:
    """Each contact day's tally in RUN, for everyone (only what happened before BEFORE)."""
    day = day_of(db, Engagement.occurred_at, run.start, run.end).label("day")
    query = (_reached(day, *KEY, func.count(Survey.id), _answered(before), before=before)
             .where(Engagement.occurred_at >= run.start, Engagement.occurred_at < run.end).group_by(day, *KEY))
    found: dict[date, Counter] = {}
    for d, *row in db.exec(query).all():
        found.setdefault(as_date(d), Counter()).update(_tally([row]))
    return found


def live(db: Session, first: date, last: date | None, borough: str | None, officer_id: str | None) -> Counter:
    """The tally of contact days FIRST..LAST (None: no end), counted now."""
    query = _reached(*KEY, func.count(Survey.id), _answered()).where(
        Engagement.occurred_at >= start_of_day(first))
    if last is not None:
        query = query.where(Engagement.occurred_at < start_of_day(last + timedelta(days=1)))
    return _tally(db.exec(_filtered(query, borough, officer_id).group_by(*KEY)).all())


def since(db: Session, moment: datetime, days: list[date], borough: str | None, officer_id: str | None) -> Counter:
    """What changed from MOMENT on for contacts on DAYS, whose kept rows count what
    happened before it: invitations that reached the victim since (answered or not), and
    ratings given since to invitations that had reached them before.  MOMENT is at most
    a couple of hours ago, so these are a few recent surveys, found by ``reached_at`` and
    ``rated_at`` and sorted here."""
    wanted, found = set(days), Counter()
    recent = _reached(Engagement.occurred_at, *KEY, Survey.rating).where(Survey.reached_at >= moment)
    for at, borough_, officer, stage, channel, rating in db.exec(_filtered(recent, borough, officer_id)).all():
        channel = channel or "unknown"
        if london_date(at) in wanted:
            found[(borough_, officer, stage, channel, REACHED)] += 1
            found[(borough_, officer, stage, channel, ANSWERED)] += rating is not None
    rated = _reached(Engagement.occurred_at, *KEY, before=moment).where(Survey.rated_at >= moment,
                                                                         Survey.rating.is_not(None))
    for at, borough_, officer, stage, channel in db.exec(_filtered(rated, borough, officer_id)).all():
        channel = channel or "unknown"
        if london_date(at) in wanted:
            found[(borough_, officer, stage, channel, ANSWERED)] += 1
    return found


def kept(db: Session, spans: list[tuple[str, date, date]], borough: str | None, officer_id: str | None) -> Counter:
    """The kept rows of each (period, first start, last start) span, summed."""
    return _tally(kept_spans.summed(db, ResponseCount, spans, KEPT_KEY, (REACHED, ANSWERED),
                                    *kept_spans.of(ResponseCount, borough, officer_id)))


# ------------------------------------------------------------------ keeping (rating_periods)


def store_day(db: Session, day: date, tally: Counter) -> None:
    """Replace DAY's kept rows with TALLY (in the caller's claim of the day)."""
    delete_period(db, "day", day)
    rows: dict[tuple, dict] = {}
    for (borough, officer, stage, channel, kind), count in tally.items():
        row = rows.setdefault((borough, officer, stage, channel), {
            "period": "day", "start": day, "borough": borough, "officer_id": officer, "stage": stage,
            "channel": channel, REACHED: 0, ANSWERED: 0})
        row[kind] += count
    if rows:
        db.execute(ResponseCount.__table__.insert(), list(rows.values()))


def keep_month(db: Session, month: date, end: date) -> None:
    """Keep MONTH (days MONTH..END-1, all kept) as the sum of its days' rows."""
    key = [getattr(ResponseCount, name) for name in KEPT_KEY]
    db.execute(ResponseCount.__table__.insert().from_select(
        ["period", "start", *KEPT_KEY, REACHED, ANSWERED],
        select(literal("month"), literal(month, Date), *key, func.sum(ResponseCount.reached),
               func.sum(ResponseCount.answered))
        .where(ResponseCount.period == "day", ResponseCount.start >= month, ResponseCount.start < end)
        .group_by(*key)))


def delete_period(db: Session, period: str, start: date) -> None:
    db.execute(delete(ResponseCount).where(ResponseCount.period == period, ResponseCount.start == start))
