"""Rating counts per (borough, officer_id, officer_name, stage, rating) over London days,
read from kept days and months where they can no longer change and counted live for
the rest.  Two date meanings: CONTACT, the engagement's ``occurred_at`` (the survey
API's ratings summary), and RATED, the survey's ``rated_at`` (the console's page).
When a day settles and how it is kept: rating_periods.

A range reads its whole kept months and its other kept (or open) days in one query,
adds the ratings given on open days since they were counted, and counts the days not
kept yet for everyone and keeps them (at most KEEP_PER_VIEW per call; the nightly job
``workers.rating_rollups`` keeps the rest); the others (today, days over the limit)
are counted live with the caller's filters.  Every rating is in exactly one of these
parts, so the sum is what one live GROUP BY over the whole range gives.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func
from sqlmodel import Session, select

from models.reports import RatingCount, RatingPeriod
from models.surveys import Engagement, Survey
from reports import kept_spans
from reports import response_counts as responses
from reports.london import as_date, days_between, london_date, runs, start_of_day
from reports.rating_periods import (  # noqa: F401  callers name the meaning here
    CELL,
    CONTACT,
    KEPT_COUNTS,
    KEPT_KEY,
    RATED,
    RATINGS,
    Cell,
    Plan,
    date_column,
    earliest,
    horizon,
    month_of,
    next_month,
    rated,
    settle,
    still_kept,
)

KEEP_PER_VIEW = 62  # days computed and kept by one call; a first look at a year stays quick


def counts(db: Session, meaning: str, first: date | None, last: date | None, *, now: datetime,
           borough: str | None = None, officer_id: str | None = None,
           keep_limit: int | None = KEEP_PER_VIEW) -> Counter:
    """Ratings per cell given on London days FIRST..LAST (None: no bound), by MEANING's date."""
    reader = _Reader(
        kept=lambda months, days: _kept(db, meaning, months, days, borough, officer_id),
        computed=lambda plan: {day: Counter({cell: n for cell, n in cells.items()
                                             if _wanted(cell, borough, officer_id)})
                               for day, cells in plan.computed.items()},
        since=lambda since, days: _live_since(db, meaning, since, days, borough, officer_id),
        live=lambda run_first, run_last: _live(db, meaning, run_first, run_last, borough, officer_id))
    return _gather(db, meaning, first, last, now, keep_limit, reader)


def response_counts(db: Session, first: date | None, last: date | None, *, now: datetime,
                    borough: str | None = None, officer_id: str | None = None,
                    keep_limit: int | None = KEEP_PER_VIEW) -> Counter:
    """Invitations that reached the victim, and answered, for contacts on London days
    FIRST..LAST (None: no bound): reports/response_counts' tally, from the contact
    periods kept with the ratings (a kept or open day has both), live for the rest."""
    wanted = (borough, officer_id)
    reader = _Reader(
        kept=lambda months, days: responses.kept(db, spans(months, days), *wanted),
        computed=lambda plan: {day: Counter({key: n for key, n in tally.items() if _wanted(key, *wanted)})
                               for day, tally in plan.responses.items()},
        since=lambda since, days: responses.since(db, since, days, *wanted),
        live=lambda run_first, run_last: responses.live(db, run_first, run_last, *wanted))
    return _gather(db, CONTACT, first, last, now, keep_limit, reader)


@dataclass(frozen=True)
class _Reader:
    """How one kind of count is read from a range's plan: its kept rows (months, days),
    the days just counted, what changed on open days since, and days counted live."""
    kept: Callable[[list[date], list[date]], Counter]
    computed: Callable[[Plan], dict[date, Counter]]
    since: Callable[[datetime, list[date]], Counter]
    live: Callable[[date, date | None], Counter]


def _gather(db: Session, meaning: str, first: date | None, last: date | None, now: datetime,
            keep_limit: int | None, reader: _Reader) -> Counter:
    oldest = earliest(db, meaning)
    if oldest is None:
        return Counter()
    lo = max(first, month_of(oldest)) if first else month_of(oldest)  # nothing before the oldest
    hi = min(last, horizon(now)) if last else horizon(now)
    total: Counter = Counter()
    live: list[date] = []
    if lo <= hi:
        for _ in range(3):
            plan = settle(db, meaning, lo, hi, now, keep_limit)
            total = reader.kept(plan.months, plan.days)
            if still_kept(db, meaning, plan):
                break  # else a day was reopened or counted again while we read it: read again
        else:
            plan = Plan(live=days_between(lo, hi))
            total = Counter()
        for counted in reader.computed(plan).values():
            total.update(counted)
        for since, days in plan.since.items():
            total += reader.since(since, days)
        live = plan.live
    tail = hi + timedelta(days=1) if lo <= hi else (first or lo)
    if last is None or tail <= last:  # after the horizon (or the whole range, before any data)
        live = live + [tail]
    for run_first, run_last in _live_runs(live, tail, last):
        total += reader.live(run_first, run_last)
    return total


def keep_settled(db: Session, meaning: str, now: datetime) -> int:
    """Keep every settled day and month of MEANING not kept yet, and count the open
    days again (the nightly job); returns how many days it counted."""
    oldest = earliest(db, meaning)
    if oldest is None:
        return 0
    kept, month, last = 0, month_of(oldest), horizon(now)
    while month <= last:
        plan = settle(db, meaning, month, min(next_month(month) - timedelta(days=1), last), now, None)
        kept += len(plan.computed)
        month = next_month(month)
    return kept


def kept_day_totals(db: Session, meaning: str, first: date, last: date, *, borough: str | None = None,
                    officer_id: str | None = None) -> dict[date, tuple[int, int]]:
    """(ratings, their sum) on each kept day FIRST..LAST, (0, 0) for a kept day with
    none; days not listed are not kept.  One statement, so a day reopened meanwhile
    is either whole or absent."""
    kept_day = (RatingPeriod.meaning == meaning, RatingPeriod.period == "day", RatingPeriod.kept_at.is_not(None),
                RatingPeriod.start >= first, RatingPeriod.start <= last)
    if not borough and not officer_id:  # everyone: the day's own totals
        return {as_date(day): (count, total) for day, count, total in db.exec(
            select(RatingPeriod.start, RatingPeriod.ratings, RatingPeriod.rating_sum).where(*kept_day)).all()}
    by_rating = [getattr(RatingCount, name) for name in KEPT_COUNTS]
    on = [RatingCount.meaning == RatingPeriod.meaning, RatingCount.period == RatingPeriod.period,
          RatingCount.start == RatingPeriod.start, *kept_spans.of(RatingCount, borough, officer_id)]
    query = (select(RatingPeriod.start, func.sum(sum(by_rating)),
                    func.sum(sum(rating * column for rating, column in zip(RATINGS, by_rating))))
             .select_from(RatingPeriod).outerjoin(RatingCount, and_(*on)).where(*kept_day)
             .group_by(RatingPeriod.start))
    return {as_date(day): (int(count or 0), int(total or 0)) for day, count, total in db.exec(query).all()}


# ------------------------------------------------------------------ queries


def _live(db: Session, meaning: str, first: date, last: date | None, borough: str | None,
          officer_id: str | None) -> Counter:
    column = date_column(meaning)
    query = rated(*CELL, func.count(Survey.id)).where(column >= start_of_day(first))
    if last is not None:
        query = query.where(column < start_of_day(last + timedelta(days=1)))
    query = query.where(*kept_spans.of(Engagement, borough, officer_id))
    return Counter({(b, o, n, s, r): int(c) for b, o, n, s, r, c in db.exec(query.group_by(*CELL)).all()})


def _live_since(db: Session, meaning: str, since: datetime, days: list[date], borough: str | None,
                officer_id: str | None) -> Counter:
    """Ratings given at or after SINCE on open DAYS (their rows hold the earlier ones).
    SINCE is at most a couple of hours ago: the few ratings given since are read by
    ``ix_surveys_rated`` and sorted here (a condition on the days, borough or officer
    would make SQLite start from those contacts instead)."""
    column, wanted = date_column(meaning), set(days)
    rows = db.exec(rated(column, *CELL).where(Survey.rated_at >= since)).all()
    return Counter((b, o, n, s, r) for at, b, o, n, s, r in rows
                   if london_date(at) in wanted and _wanted((b, o, n, s, r), borough, officer_id))


def _kept(db: Session, meaning: str, months: list[date], days: list[date], borough: str | None,
          officer_id: str | None) -> Counter:
    found: Counter = Counter()
    for borough_, officer, name, stage, *by_rating in kept_spans.summed(
            db, RatingCount, spans(months, days), KEPT_KEY, KEPT_COUNTS, RatingCount.meaning == meaning,
            *kept_spans.of(RatingCount, borough, officer_id)):
        for rating, n in zip(RATINGS, by_rating):
            if n:
                found[(borough_, officer, name, stage, rating)] = int(n)  # a row per officer, name and stage
    return found


def spans(months: list[date], days: list[date]) -> list[tuple[str, date, date]]:
    """Kept MONTHS and DAYS as (period, first start, last start) runs."""
    return [("month", *span) for span in _spans(months, next_month)] + \
        [("day", *span) for span in _spans(days, lambda d: d + timedelta(days=1))]


def _live_runs(days: list[date], tail: date, last: date | None) -> list[tuple[date, date | None]]:
    """Live days as (first, last) runs; the run reaching TAIL goes on to LAST (None: no end)."""
    return [(run.first, last if run.last == tail else run.last) for run in runs(days)]


def _spans(starts: list[date], step) -> list[tuple[date, date]]:
    """Consecutive periods (STEP gives the next one's start) as (first, last) spans."""
    spans: list[tuple[date, date]] = []
    for start in sorted(starts):
        if spans and step(spans[-1][1]) == start:
            spans[-1] = (spans[-1][0], start)
        else:
            spans.append((start, start))
    return spans


def _wanted(cell: tuple, borough: str | None, officer_id: str | None) -> bool:
    """A rating cell or a response tally's key (both begin borough, officer_id) in scope."""
    return (not borough or cell[0] == borough) and (not officer_id or cell[1] == officer_id)
