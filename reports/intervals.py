"""Calls per interval of the day, for staffing: 15, 30 or 60 minutes over a range of
London days, or by hour of the day (every day in the range added together).

The figures are the KPIs' (reports/kpis.py): calls counted in the interval they
started; offered = joined the queue, answered = connected, abandoned = hung up while
waiting; service level = answered within SERVICE_LEVEL_SECONDS / answered; ASA = the
mean wait of answered calls.  Talk time (put through to an agent until the call
ended, from the queue events) is counted in the interval the caller was put through;
after-call work is the mean length of the agents' wrap-up periods that began in the
interval (agent_state_intervals).  AHT = talk + after-call work.

SQL groups rows into quarter-hours of each London day (at most 96 groups a day), and
Python adds the quarters up into the size asked for.  A settled day kept in
``kpi_days`` has its quarters kept in ``kpi_quarters`` (services/kpi_days.py, the
kpi-days job), so a year by hour of day sums kept rows in SQL (96 results) instead of
working out the London quarter-hour of each of a year's calls; only the days not
kept (today, and yesterday until its calls are final at 04:00) are counted live: the calls from ``ix_calls_kpi``
alone, the events from ``ix_call_events_event_at``, the wrap-ups from
``ix_agent_state_intervals_started_at``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from desk.clock import london_now
from models.calls import Call, CallEvent
from models.reports import KpiDay, KpiQuarter
from models.wallboard import AgentStateInterval
from reports.agent_activity import seconds_between
from reports.kpis import calls_final_last
from reports.london import DayRange, as_date, day_of, days_between, quarter_of, runs

SIZES = {"15": 15, "30": 30, "60": 60, "hour": 60}
# the longest range each size may cover, so a page stays readable
MAX_DAYS = {"15": 31, "30": 62, "60": 92, "hour": 731}
ALL_DAYS = date(2000, 1, 1)  # the day key when the days are added together


# IntervalCounts' fields in order, as kpi_quarters keeps them
@dataclass
class IntervalCounts:
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

    def add(self, other: IntervalCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def service_level(self) -> float | None:
        return self.answered_in_sl / self.answered if self.answered else None

    @property
    def asa_seconds(self) -> float | None:
        return self.wait_sum / self.wait_known if self.wait_known else None

    @property
    def talk_seconds(self) -> float | None:
        return self.talk_sum / self.talked if self.talked else None

    @property
    def acw_seconds(self) -> float | None:
        return self.wrap_sum / self.wraps if self.wraps else None

    @property
    def aht_seconds(self) -> float | None:
        if self.talk_seconds is None:
            return None
        return self.talk_seconds + (self.acw_seconds or 0.0)


COUNTED = tuple(f.name for f in fields(IntervalCounts))  # as kpi_quarters keeps them


@dataclass
class Interval:
    day: date | None  # None: hour of day, every day added together
    minute: int       # minutes after midnight (London) the interval starts
    length: int       # minutes
    counts: IntervalCounts = field(default_factory=IntervalCounts)

    def label(self) -> str:
        end = self.minute + self.length
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}–{end // 60 % 24:02d}:{end % 60:02d}" \
            if end < 1440 else f"{self.minute // 60:02d}:{self.minute % 60:02d}–24:00"


@dataclass
class IntervalReport:
    range: DayRange
    size: str
    service_level_seconds: int
    rows: list[Interval]
    total: IntervalCounts


def _flag(condition):
    return case((condition, 1), else_=0)


def _quarter(db: Session, column, start, end, by_day: bool):
    """SQL: [London day, quarter-hour of the day 0..95] of COLUMN; by hour of day the
    days are added together in SQL, so a year groups into 96 rows, not 35,000."""
    quarter = quarter_of(db, column, start, end).label("quarter")
    return [day_of(db, column, start, end).label("day"), quarter] if by_day else [quarter]


def computed_quarters(db: Session, days: DayRange, sl_seconds: int,
                      by_day: bool = True) -> dict[tuple[date, int], IntervalCounts]:
    """Counted from the calls, events and wrap-ups: (London day, quarter) -> counts,
    the day ALL_DAYS when not BY_DAY.  A quarter with any row of them is listed."""
    quarters: dict[tuple[date, int], IntervalCounts] = {}

    def at(keys) -> tuple[IntervalCounts, tuple]:
        """The quarter's counts for a result row's keys, and the row's remaining values."""
        day_value, quarter, rest = (keys[0], keys[1], keys[2:]) if by_day else (ALL_DAYS, keys[0], keys[1:])
        return quarters.setdefault((as_date(day_value), int(quarter)), IntervalCounts()), rest

    start, end = days.start, days.end
    keys = _quarter(db, Call.started_at, start, end, by_day)
    offered = Call.queue_joined_at.is_not(None)
    answered = and_(offered, Call.outcome == "connected")
    known = and_(answered, Call.wait_seconds.is_not(None))
    for row in db.exec(select(*keys, func.sum(_flag(offered)), func.sum(_flag(answered)),
                              func.sum(_flag(and_(answered, Call.wait_seconds <= sl_seconds))),
                              func.sum(_flag(and_(offered, Call.outcome == "abandoned"))),
                              func.sum(case((known, Call.wait_seconds), else_=0)), func.sum(_flag(known)))
                       .where(Call.started_at >= start, Call.started_at < end)
                       .group_by(*keys)).all():
        c, values = at(row)
        c.offered, c.answered, c.answered_in_sl, c.abandoned, c.wait_sum, c.wait_known = (int(v or 0) for v in values)

    connected, completed = aliased(CallEvent), aliased(CallEvent)
    keys = _quarter(db, connected.at, start, end, by_day)
    for row in db.exec(
            select(*keys, func.count(), func.sum(seconds_between(db, completed.at, connected.at)))
            .select_from(connected)
            .join(completed, and_(completed.call_sid == connected.call_sid, completed.event == "completed"))
            .where(connected.event == "connected", connected.at >= start, connected.at < end)
            .group_by(*keys)).all():
        c, (count, seconds) = at(row)
        c.talked, c.talk_sum = int(count or 0), round(float(seconds or 0), 1)

    wrap = AgentStateInterval
    keys = _quarter(db, wrap.started_at, start, end, by_day)
    for row in db.exec(
            select(*keys, func.count(), func.sum(seconds_between(db, wrap.ended_at, wrap.started_at)))
            .where(wrap.state == "wrap_up", wrap.ended_at.is_not(None), wrap.started_at >= start,
                   wrap.started_at < end)
            .group_by(*keys)).all():
        c, (count, seconds) = at(row)
        c.wraps, c.wrap_sum = int(count or 0), round(float(seconds or 0), 1)
    return quarters


def _kept(db: Session, first: date, last: date, sl_seconds: int,
          by_day: bool) -> dict[tuple[date, int], IntervalCounts]:
    """The kept quarters of days FIRST..LAST (only days kept in kpi_days have rows); by
    hour of day summed in SQL, at most 96 rows whatever the range."""
    q = KpiQuarter
    columns = [getattr(q, name) for name in COUNTED]
    where = (q.service_level_seconds == sl_seconds, q.day >= first, q.day <= last)
    if by_day:
        rows = db.exec(select(q.day, q.quarter, *columns).where(*where)).all()
        return {(as_date(day), int(quarter)): IntervalCounts(*values) for day, quarter, *values in rows}
    rows = db.exec(select(q.quarter, *[func.sum(c) for c in columns]).where(*where).group_by(q.quarter)).all()
    return {(ALL_DAYS, int(quarter)): IntervalCounts(*(v or 0 for v in values)) for quarter, *values in rows}


def intervals(db: Session, days: DayRange, size: str, sl_seconds: int, now: datetime | None = None) -> IntervalReport:
    """Days kept in kpi_days (workers/kpi_days.py, once their calls are final) are read
    from their kept quarters; every other day is counted live."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    by_day = size != "hour"
    settled_last = min(days.last, calls_final_last(now or london_now()))
    kept_days: set[date] = set()
    quarters: dict[tuple[date, int], IntervalCounts] = {}
    if days.first <= settled_last:
        kept_days = {as_date(d) for d in db.exec(select(KpiDay.day).where(
            KpiDay.service_level_seconds == sl_seconds, KpiDay.day >= days.first,
            KpiDay.day <= settled_last)).all()}
    if kept_days:
        quarters = _kept(db, min(kept_days), max(kept_days), sl_seconds, by_day)
    for run in runs([day for day in days_between(days.first, days.last) if day not in kept_days]):
        for key, counts in computed_quarters(db, run, sl_seconds, by_day).items():
            quarters.setdefault(key, IntervalCounts()).add(counts)

    length = SIZES[size]
    buckets: dict[tuple[date | None, int], Interval] = {}
    if size == "hour":  # every hour listed, quiet ones too
        for hour in range(24):
            buckets[(None, hour * 60)] = Interval(None, hour * 60, 60)
    total = IntervalCounts()
    for (day_value, q), counts in quarters.items():
        minute = q * 15 // length * length
        key = (None if size == "hour" else day_value, minute)
        bucket = buckets.setdefault(key, Interval(key[0], minute, length))
        bucket.counts.add(counts)
        total.add(counts)
    rows = sorted(buckets.values(), key=lambda b: (b.day or date.min, b.minute))
    return IntervalReport(days, size, sl_seconds, rows, total)
