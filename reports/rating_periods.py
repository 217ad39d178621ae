"""The kept periods behind rating_rollups: when a London day's rating counts are
settled, computing and keeping them (and then their month), and reopening a day.

When a day is settled (its counts final), for each date meaning:

- RATED (``Survey.rated_at``): a rating is stored with ``rated_at`` = the moment it is
  given (``sms.surveys.apply`` with ``clock.now()``), so nothing joins a day once it is
  over; GRACE covers a request that decided before midnight and commits after.
- CONTACT (``Engagement.occurred_at``): a survey can be rated until it expires
  (``flows.sms_conversation``: an SMS reply at or after ``expires_at`` is refused, and
  so is the web form, whose link carries the expiry; suppressed surveys are rated only
  through that link), so a contact day is settled once it is over and every unrated
  survey of its engagements expired at least GRACE ago (``not_before`` remembers when
  that will be).  A survey without ``expires_at`` never expires.  The API accepts
  engagements for any past day: ``reopen_contact_day`` (called by
  ``sms.surveys.invite`` in the engagement's transaction) reopens that day and month.
- Contact days keep their response counts too (reports/response_counts: invitations
  that reached the victim, and answered).  ``Survey.reached_at`` is set only before the
  survey expires (models/surveys.invitation_reached), so a contact day also stays open
  while a rated survey's invitation may still reach the victim.
- Nothing else changes a counted field: a rating is never replaced or removed, a
  survey's ``reached_at`` is set once, an engagement's officer, borough, stage and date
  are never updated, and retention (``workers.retention``) blanks phone numbers, crime
  references and comments only.

Until then a contact day that is over is kept *open*: its rows count the ratings given
(and invitations that reached the victim) before ``counted_to`` (GRACE before they were
counted, so all of them had committed), and a reader adds those since, a few recent
surveys found by ``rated_at`` and ``reached_at``.  Open
days are counted again every REFRESH.  A month is kept once all its days are settled,
as the sum of their rows.

Concurrency: a day is kept by a conditional UPDATE of its ``rating_periods`` row
(``version`` and ``counted_to`` as read before counting, ``kept_at`` still null); a
reopening bumps the version of the month's row, then the day's, in the engagement's
transaction.  Either the keeper's UPDATE sees the change and keeps nothing, or the
reopening waits for the keeper's commit and then deletes what it kept.  A reader checks
afterwards that the rows it read were still those (``still_kept``).

Rows written by hand, bypassing ``sms.surveys.apply`` (a rating with an old or no
``rated_at``, an engagement without a survey from ``sms.surveys.invite``), are not
seen by a kept day; a rating outside 1-5 has no column, so its day is counted live.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, delete, func, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from models.reports import RatingCount, RatingPeriod
from models.surveys import Engagement, Survey
from reports import response_counts as responses
from reports.london import DayRange, as_date, day_of, days_between, london_date, runs, start_of_day

CONTACT, RATED = "contact", "rated"
GRACE = timedelta(hours=1)  # a rating decided before a deadline is committed within this
REFRESH = timedelta(hours=1)  # an open day's rows are counted again when older than this
RATINGS = range(1, 6)

Cell = tuple[str, str, str, str, int]  # borough, officer_id, officer_name, stage, rating
CELL = (Engagement.borough, Engagement.officer_id, Engagement.officer_name, Engagement.stage, Survey.rating)
KEPT_KEY = ("borough", "officer_id", "officer_name", "stage")
KEPT_COUNTS = tuple(f"rating_{n}" for n in RATINGS)  # one row per officer and name, a column per rating


def reopen_contact_day(db: Session, occurred_at: datetime, now: datetime) -> None:
    """A survey about a contact on a day that is over: that day and month can no
    longer be kept as they were.  Runs in the engagement's transaction."""
    day = london_date(occurred_at)
    if start_of_day(day + timedelta(days=1)) > now:
        return  # not over: no one can have kept it (GRACE keeps a margin for clocks)
    for period, start in (("month", day.replace(day=1)), ("day", day)):  # month first: one lock order
        db.execute(_upsert(db, {"meaning": CONTACT, "period": period, "start": start, "version": 1},
                           {"version": RatingPeriod.version + 1, "kept_at": None, "counted_to": None}))
        db.execute(delete(RatingCount).where(RatingCount.meaning == CONTACT, RatingCount.period == period,
                                             RatingCount.start == start))
        responses.delete_period(db, period, start)


# ------------------------------------------------------------------ keeping


@dataclass
class Plan:
    """A range's days, sorted by settle()."""
    months: list[date] = field(default_factory=list)  # kept months
    days: list[date] = field(default_factory=list)  # kept and open days outside them: read their rows
    since: dict[datetime, list[date]] = field(default_factory=dict)  # open days: add the ratings given since
    live: list[date] = field(default_factory=list)  # days to count live
    computed: dict[date, dict[Cell, int]] = field(default_factory=dict)  # days counted now (open: to counted_to)
    responses: dict[date, Counter] = field(default_factory=dict)  # and their response counts (CONTACT)
    seen: dict[tuple[str, date], tuple] = field(default_factory=dict)  # the read periods' state
    lo: date | None = None
    hi: date | None = None


def settle(db: Session, meaning: str, lo: date, hi: date, now: datetime, keep_limit: int | None) -> Plan:
    """Sort the days LO..HI (all over) into kept, open and live, counting and keeping
    days not kept yet or open for too long (up to KEEP_LIMIT), and then their months."""
    rows = _periods(db, meaning, lo, hi)
    plan, candidates, month_due = Plan(lo=lo, hi=hi), [], False
    month = month_of(lo)
    while month <= hi:
        end = next_month(month) - timedelta(days=1)
        whole, row = lo <= month and end <= hi, rows.get(("month", month))
        if whole and _is_kept(row):
            plan.months.append(month)
            plan.seen[("month", month)] = _state(row)
            month = next_month(month)
            continue
        pending = False
        for day in days_between(max(lo, month), min(hi, end)):
            row = rows.get(("day", day))
            if _is_kept(row) or _is_open(row, now):
                plan.days.append(day)
                plan.seen[("day", day)] = _state(row)
                if not _is_kept(row):
                    plan.since.setdefault(row.counted_to, []).append(day)
                    pending = True
            elif keep_limit is None or len(candidates) < keep_limit:
                candidates.append(day)
            else:
                plan.live.append(day)
                pending = True
        month_due |= whole and not pending  # every day kept, or about to be
        month = next_month(month)
    if candidates:
        counted_to = now - GRACE
        plan.computed, plan.responses, still_open = _keep_days(db, meaning, candidates, rows, now, counted_to)
        if still_open:
            plan.since.setdefault(counted_to, []).extend(still_open)
    if month_due:
        _keep_months(db, meaning, lo, hi, now)
    return plan


def still_kept(db: Session, meaning: str, plan: Plan) -> bool:
    """Whether every month and day whose rows PLAN read is as it was: a reopening bumps
    the version for good, a recount moves ``counted_to``, so the rows read in between
    were the ones planned."""
    if not plan.seen:
        return True
    rows = _periods(db, meaning, plan.lo, plan.hi)
    return all(key in rows and _state(rows[key]) == state for key, state in plan.seen.items())


def _keep_days(db: Session, meaning: str, days: list[date], rows: dict, now: datetime,
               counted_to: datetime) -> tuple[dict[date, dict[Cell, int]], dict[date, Counter], list[date]]:
    """Count DAYS for everyone and keep them: settled days for good, the others open
    up to COUNTED_TO.  Returns every day's counts (and contact days' response counts),
    and the days left open."""
    settled: dict[date, dict[Cell, int]] = {}
    still_open: dict[date, datetime | None] = {}
    tallies: dict[date, Counter] = {}
    for run in runs(days):
        # open surveys first: a rating given after this check is on a day found open
        if meaning == CONTACT:
            still_open.update(_open_until(db, run, now))
        for part in runs([day for day in days_between(run.first, run.last) if day not in still_open]):
            settled.update({day: {} for day in days_between(part.first, part.last)} | _by_day(db, meaning, part))
            if meaning == CONTACT:
                tallies.update({day: Counter() for day in days_between(part.first, part.last)}
                               | responses.by_day(db, part))
    opened: dict[date, dict[Cell, int]] = {}
    for part in runs(list(still_open)):
        opened.update({day: {} for day in days_between(part.first, part.last)}
                      | _by_day(db, meaning, part, before=counted_to))
        tallies.update({day: Counter() for day in days_between(part.first, part.last)}
                       | responses.by_day(db, part, before=counted_to))
    for day, cells in settled.items():
        if _countable(cells):
            totals = {"ratings": sum(cells.values()), "rating_sum": sum(c[4] * n for c, n in cells.items())}
            _store(db, meaning, day, cells, tallies.get(day), rows.get(("day", day)),
                   {"kept_at": now, "counted_to": None, **totals})
    for day, cells in opened.items():
        if _countable(cells):
            _store(db, meaning, day, cells, tallies.get(day), rows.get(("day", day)),
                   {"counted_to": counted_to, "not_before": still_open[day]})
    db.commit()
    return settled | opened, tallies, sorted(opened)


def _countable(cells: dict[Cell, int]) -> bool:
    return all(cell[4] in RATINGS for cell in cells)  # a rating outside 1-5 has no column


def _store(db: Session, meaning: str, day: date, cells: dict[Cell, int], tally: Counter | None, seen,
           values: dict) -> None:
    """Replace DAY's rows with CELLS (and a contact day's response counts with TALLY),
    unless its period changed since it was read as SEEN."""
    version, counted_to = (seen.version, seen.counted_to) if seen else (0, None)
    if _claim(db, meaning, "day", day, version, values, counted_to):
        db.execute(delete(RatingCount).where(RatingCount.meaning == meaning, RatingCount.period == "day",
                                             RatingCount.start == day))
        if cells:
            db.execute(RatingCount.__table__.insert(), _kept_rows(meaning, day, cells))
        if tally is not None:
            responses.store_day(db, day, tally)


def _kept_rows(meaning: str, day: date, cells: dict[Cell, int]) -> list[dict]:
    rows: dict[tuple[str, str, str, str], dict] = {}
    for (borough, officer, name, stage, rating), count in cells.items():
        row = rows.setdefault((borough, officer, name, stage), {
            "meaning": meaning, "period": "day", "start": day, "borough": borough, "officer_id": officer,
            "officer_name": name, "stage": stage, **{column: 0 for column in KEPT_COUNTS}})
        row[f"rating_{rating}"] = count
    return list(rows.values())


def _keep_months(db: Session, meaning: str, lo: date, hi: date, now: datetime) -> None:
    """Keep each whole month in LO..HI whose days are all kept, as the sum of its days."""
    rows = _periods(db, meaning, lo, hi)
    month = month_of(lo)
    while next_month(month) - timedelta(days=1) <= hi:
        end, row = next_month(month), rows.get(("month", month))
        if month >= lo and not _is_kept(row) and all(
                _is_kept(rows.get(("day", d))) for d in days_between(month, end - timedelta(days=1))):
            _keep_month(db, meaning, month, end, row.version if row else 0, now)
        month = end


def _keep_month(db: Session, meaning: str, month: date, end: date, version: int, now: datetime) -> None:
    if not _claim(db, meaning, "month", month, version, {"kept_at": now}):
        db.rollback()
        return
    # claimed: a reopening now waits for this commit; check no day was reopened before it
    kept_days = db.exec(select(func.count()).select_from(RatingPeriod).where(
        RatingPeriod.meaning == meaning, RatingPeriod.period == "day", RatingPeriod.start >= month,
        RatingPeriod.start < end, RatingPeriod.kept_at.is_not(None))).one()
    if kept_days != (end - month).days:
        db.rollback()
        return
    key = [getattr(RatingCount, name) for name in KEPT_KEY]
    db.execute(RatingCount.__table__.insert().from_select(
        ["meaning", "period", "start", *KEPT_KEY, *KEPT_COUNTS],
        select(literal(meaning), literal("month"), literal(month, Date), *key,
               *[func.sum(getattr(RatingCount, name)) for name in KEPT_COUNTS])
        .where(RatingCount.meaning == meaning, RatingCount.period == "day", RatingCount.start >= month,
               RatingCount.start < end)
        .group_by(*key)))
    if meaning == CONTACT:
        responses.keep_month(db, month, end)
    db.commit()


def _claim(db: Session, meaning: str, period: str, start: date, version: int, values: dict,
           counted_to: datetime | None = None) -> bool:
    """Set VALUES on a period not kept, unless it was reopened or counted again since
    it was read (VERSION, COUNTED_TO)."""
    db.execute(_upsert(db, {"meaning": meaning, "period": period, "start": start, "version": 0}))
    done = db.execute(update(RatingPeriod).where(
        RatingPeriod.meaning == meaning, RatingPeriod.period == period, RatingPeriod.start == start,
        RatingPeriod.version == version, RatingPeriod.kept_at.is_(None),
        RatingPeriod.counted_to.is_not_distinct_from(counted_to)).values(**values))
    return done.rowcount == 1


def _upsert(db: Session, values: dict, on_conflict: dict | None = None):
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(RatingPeriod).values(**values)
    keys = ["meaning", "period", "start"]
    if on_conflict is None:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=on_conflict)


# ------------------------------------------------------------------ counting


def date_column(meaning: str):
    if meaning not in (CONTACT, RATED):
        raise ValueError("meaning must be contact or rated")
    return Engagement.occurred_at if meaning == CONTACT else Survey.rated_at


def rated(*columns):
    return (select(*columns).select_from(Survey).join(Engagement, Engagement.id == Survey.engagement_id)
            .where(Survey.rating.is_not(None)))


def _by_day(db: Session, meaning: str, run: DayRange, before: datetime | None = None) -> dict[date, dict[Cell, int]]:
    """Each day's counts in RUN (only the ratings given before BEFORE, or at no known time)."""
    column = date_column(meaning)
    day = day_of(db, column, run.start, run.end).label("day")
    query = rated(day, *CELL, func.count(Survey.id)).where(column >= run.start, column < run.end)
    if before is not None:
        query = query.where(or_(Survey.rated_at.is_(None), Survey.rated_at < before))
    found: dict[date, dict[Cell, int]] = {}
    for d, b, o, n, s, r, c in db.exec(query.group_by(day, *CELL)).all():
        found.setdefault(as_date(d), {})[(b, o, n, s, r)] = int(c)
    return found


def _open_until(db: Session, run: DayRange, now: datetime) -> dict[date, datetime | None]:
    """Contact days in RUN with a survey that may still be rated, or whose invitation may
    still reach the victim (models/surveys.invitation_reached: only before it expires):
    when the last of them stops counting (None: one never expires)."""
    day = day_of(db, Engagement.occurred_at, run.start, run.end).label("day")
    query = (select(day, func.max(Survey.expires_at), func.count(), func.count(Survey.expires_at))
             .select_from(Survey).join(Engagement, Engagement.id == Survey.engagement_id)
             .where(Engagement.occurred_at >= run.start, Engagement.occurred_at < run.end,
                    or_(Survey.rating.is_(None), Survey.reached_at.is_(None)),
                    or_(Survey.expires_at.is_(None), Survey.expires_at > now - GRACE))
             .group_by(day))
    return {as_date(d): (latest + GRACE if n == expiring else None)
            for d, latest, n, expiring in db.exec(query).all()}


def _periods(db: Session, meaning: str, lo: date, hi: date) -> dict[tuple[str, date], RatingPeriod]:
    rows = db.exec(select(RatingPeriod.period, RatingPeriod.start, RatingPeriod.version, RatingPeriod.kept_at,
                          RatingPeriod.not_before, RatingPeriod.counted_to)
                   .where(RatingPeriod.meaning == meaning, RatingPeriod.start >= month_of(lo),
                          RatingPeriod.start <= hi)).all()
    # plain tuples, not ORM objects: the session's identity map must not serve stale rows
    return {(r.period, as_date(r.start)): r for r in rows}


def earliest(db: Session, meaning: str) -> date | None:
    first = db.exec(select(func.min(date_column(meaning)))).one()
    return london_date(first) if first is not None else None


# ------------------------------------------------------------------ days


def _is_kept(row) -> bool:
    return row is not None and row.kept_at is not None


def _is_open(row, now: datetime) -> bool:
    """Counted recently, up to ``counted_to``, and not due to settle yet."""
    return (row is not None and row.counted_to is not None and row.counted_to >= now - GRACE - REFRESH
            and (row.not_before is None or row.not_before > now))


def _state(row) -> tuple:
    return row.version, row.kept_at is not None, row.counted_to


def horizon(now: datetime) -> date:
    """The last London day that ended at least GRACE before NOW."""
    return london_date(now - GRACE) - timedelta(days=1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)
