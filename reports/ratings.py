"""Officers' ratings from the survey (1-5), by borough and officer.

A rating is counted on the London day it was given (``Survey.rated_at``); its
borough and officer are the engagement's.  The counts read the settled days and
months that ``rating_rollups`` keeps (migration 0415_rating_rollups).  Indexes:
``ix_surveys_rated`` (rated_at, rating, engagement_id) is a covering range for every
aggregate here, joined to engagements by primary key; comments are read newest first
through ``ix_surveys_comment_at`` (with the rowid/id) in keyset pages.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import func, text
from sqlmodel import Session, select

from desk import clock, keyset
from models.surveys import Engagement, Survey
from reports import journey, rating_rollups
from reports.london import DayRange, as_date, day_of, days_between, runs, week_start

COMMENTS_PAGE = 25
EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class RatingFilters:
    days: DayRange
    borough: str | None = None
    officer_id: str | None = None


@dataclass
class Distribution:
    """Ratings for one borough or officer (or everyone: key None)."""
    key: str | None
    label: str
    counts: dict[int, int] = field(default_factory=lambda: {n: 0 for n in range(1, 6)})
    borough: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(n * c for n, c in self.counts.items()) / self.total if self.total else None


def _scoped(query, filters: RatingFilters, column=None):
    column = column if column is not None else Survey.rated_at
    query = query.where(column >= filters.days.start, column < filters.days.end, Survey.rating.is_not(None))
    if filters.borough:
        query = query.where(Engagement.borough == filters.borough)
    if filters.officer_id:
        query = query.where(Engagement.officer_id == filters.officer_id)
    return query


def _joined(*columns):
    return select(*columns).select_from(Survey).join(Engagement, Engagement.id == Survey.engagement_id)


@dataclass
class RatingCounts:
    """Ratings in scope counted per (borough, officer, rating) in one SQL pass; every
    view of them (overall, by borough, by officer, officers to recognise) is a sum
    of these few thousand rows."""
    cells: list[tuple[str, str, str, int, int]]  # borough, officer_id, officer_name, rating, count
    # the same ratings by stage of the victim's journey, every stage listed (reports/journey.py)
    stages: list = field(default_factory=list)

    def overall(self) -> Distribution:
        result = Distribution(None, "All")
        for _b, _o, _n, rating, count in self.cells:
            if rating in result.counts:
                result.counts[rating] += count
        return result

    def by(self, by: str) -> list[Distribution]:
        """Per borough (BY "borough") or officer (BY "officer"), most ratings first.
        An officer's borough is the one most of their ratings came from."""
        if by not in ("borough", "officer"):
            raise ValueError("by must be borough or officer")
        groups: dict[str, Distribution] = {}
        where: dict[str, dict[str, int]] = {}
        for borough, officer, name, rating, count in self.cells:
            key = borough if by == "borough" else officer
            if key not in groups:
                groups[key] = Distribution(key, key if by == "borough" else f"{name} ({officer})", borough=borough)
            if rating in groups[key].counts:
                groups[key].counts[rating] += count
            if by == "officer":
                seen = where.setdefault(key, {})
                seen[borough] = seen.get(borough, 0) + count
        for key, seen in where.items():
            groups[key].borough = max(seen, key=lambda b: (seen[b], b))
        return sorted(groups.values(), key=lambda d: (-d.total, d.label))

    def exceptional(self, min_count: int, min_mean: float) -> list[Officer]:
        """Officers with at least MIN_COUNT ratings whose mean is at least MIN_MEAN,
        best first (then most ratings)."""
        found = [Officer(d.key, d.label.rsplit(" (", 1)[0], d.borough or "", d.total, d.mean)
                 for d in self.by("officer") if d.total >= min_count and d.mean is not None and d.mean >= min_mean]
        return sorted(found, key=lambda o: (-o.mean, -o.count, o.officer_id))


def rating_counts(db: Session, filters: RatingFilters, now: datetime | None = None) -> RatingCounts:
    """Kept days and months where they are settled (rating_rollups), live for the rest;
    an officer seen under two names is listed under the greater, as max() did."""
    cells = rating_rollups.counts(db, rating_rollups.RATED, filters.days.first, filters.days.last,
                                  now=now or clock.now(), borough=filters.borough, officer_id=filters.officer_id)
    merged: dict[tuple[str, str, int], tuple[str, int]] = {}
    for (borough, officer, name, _stage, rating), count in cells.items():
        seen = merged.get((borough, officer, rating))
        merged[(borough, officer, rating)] = (max(seen[0], name), seen[1] + count) if seen else (name, count)
    return RatingCounts(sorted((b, o, n, r, c) for (b, o, r), (n, c) in merged.items()),
                        journey.stage_ratings(cells))


def response_rates(db: Session, filters: RatingFilters, now: datetime | None = None) -> list[journey.ResponseRate]:
    """Response rates for contacts on the filters' days, per stage and channel: kept
    counts where settled (rating_rollups.response_counts), live for the rest."""
    return journey.rates_from(rating_rollups.response_counts(
        db, filters.days.first, filters.days.last, now=now or clock.now(), borough=filters.borough,
        officer_id=filters.officer_id))


def distribution(db: Session, filters: RatingFilters, by: str) -> list[Distribution]:
    """Counts of each rating per borough (BY "borough") or officer (BY "officer")."""
    return rating_counts(db, filters).by(by)


def overall(db: Session, filters: RatingFilters) -> Distribution:
    """All ratings in scope together."""
    return rating_counts(db, filters).overall()


@dataclass(frozen=True)
class TrendPoint:
    week: date  # Monday
    count: int
    mean: float | None


def weekly_trend(db: Session, filters: RatingFilters) -> list[TrendPoint]:
    """Mean rating per ISO week (London) in scope, every week of the range listed.
    Days kept by rating_rollups are read from their rows, the others counted live."""
    days = filters.days
    sums: dict[date, list[int]] = {}

    def add(day: date, count: int, total: int) -> None:
        acc = sums.setdefault(week_start(day), [0, 0])
        acc[0] += count
        acc[1] += total

    kept = rating_rollups.kept_day_totals(db, rating_rollups.RATED, days.first, days.last,
                                          borough=filters.borough, officer_id=filters.officer_id)
    for day, (count, total) in kept.items():
        add(day, count, total)
    for run in runs([d for d in days_between(days.first, days.last) if d not in kept]):
        day = day_of(db, Survey.rated_at, run.start, run.end).label("day")
        query = _scoped(_joined(day, func.count(), func.sum(Survey.rating)), replace(filters, days=run))
        for day_value, count, total in db.exec(query.group_by(day)).all():
            add(as_date(day_value), int(count), int(total or 0))
    points, week = [], week_start(days.first)
    while week <= days.last:
        count, total = sums.get(week, (0, 0))
        points.append(TrendPoint(week, count, total / count if count else None))
        week = date.fromordinal(week.toordinal() + 7)
    return points


@dataclass(frozen=True)
class Officer:
    officer_id: str
    name: str
    borough: str
    count: int
    mean: float


def exceptional_officers(db: Session, filters: RatingFilters, min_count: int, min_mean: float) -> list[Officer]:
    """Officers with at least MIN_COUNT ratings in scope whose mean is at least
    MIN_MEAN, best first (then most ratings)."""
    return rating_counts(db, filters).exceptional(min_count, min_mean)


@dataclass(frozen=True)
class Comment:
    survey_id: int
    at: datetime
    rating: int | None
    comment: str
    officer_id: str
    officer_name: str
    borough: str


@dataclass(frozen=True)
class CommentPage:
    comments: list[Comment]
    next_cursor: str | None


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        return keyset.decode(cursor)
    except ValueError:
        raise ValueError("That page link is not valid; start again from the first page.") from None


def comments(db: Session, filters: RatingFilters, cursor: str | None = None,
             limit: int = COMMENTS_PAGE) -> CommentPage:
    """Comments given in scope, newest first, in keyset pages."""
    query = _scoped(_joined(Survey.id, Survey.comment_at, Survey.rating, Survey.comment, Engagement.officer_id,
                            Engagement.officer_name, Engagement.borough), filters, Survey.comment_at) \
        .where(Survey.comment.is_not(None), Survey.comment != "")
    query = keyset.before(query, Survey.comment_at, Survey.id, _decode(cursor) if cursor else None)
    rows = db.exec(query.order_by(Survey.comment_at.desc(), Survey.id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    page = [Comment(*row) for row in rows]
    return CommentPage(page, keyset.encode(page[-1].at, page[-1].survey_id) if more and page else None)


@dataclass(frozen=True)
class RatingRow:
    survey_id: int
    rated_at: datetime
    rating: int
    via: str | None
    comment: str | None
    officer_id: str
    officer_name: str
    borough: str
    occurred_at: datetime
    stage: str


def iter_ratings(db: Session, filters: RatingFilters, chunk: int = EXPORT_CHUNK) -> Iterator[RatingRow]:
    """Every rating in scope, newest first, a keyset chunk at a time (for the CSV).
    No phone number or crime reference: the export is about officers, not victims."""
    base = _scoped(_joined(Survey.id, Survey.rated_at, Survey.rating, Survey.rated_via, Survey.comment,
                           Engagement.officer_id, Engagement.officer_name, Engagement.borough,
                           Engagement.occurred_at, Engagement.stage), filters)
    position = None
    while True:
        query = keyset.before(base, Survey.rated_at, Survey.id, position)
        rows = db.exec(query.order_by(Survey.rated_at.desc(), Survey.id.desc()).limit(chunk)).all()
        for row in rows:
            yield RatingRow(*row)
        if len(rows) < chunk:
            return
        position = (rows[-1][1], rows[-1][0])


def boroughs(db: Session) -> list[str]:
    """Every borough with an engagement (the filter's choices): a loose index scan of
    ``ix_engagements_borough``, one seek per borough rather than a read of every row."""
    return [row[0] for row in db.execute(text(
        "WITH RECURSIVE b(name) AS ("
        " SELECT min(borough) FROM engagements"
        " UNION ALL SELECT (SELECT min(borough) FROM engagements WHERE borough > b.name) FROM b"
        " WHERE b.name IS NOT NULL)"
        " SELECT name FROM b WHERE name IS NOT NULL")).all()]
