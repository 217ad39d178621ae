"""Agents' days: time in each state, occupancy and performance, per London day.

- Time in a state comes from ``agent_state_intervals`` (every change of state is kept,
  services/agent_state.change_state), each interval cut at London midnights and at
  now; an agent's history starts at their first change of state after migration
  0630_wallboard_history.  Time before it is shown as not recorded, not as offline.
- occupancy: (busy + wrap-up) / (available + busy + wrap-up): the share of the time
  on duty spent on calls and their follow-up.
- calls: offers the agent took (pressed 1) on the day the offer was made, queue
  callers and callbacks alike; missed offers: offers they did not take (no answer,
  busy, answered without pressing 1).
- talk: from taking the call to its end (offers that ended); after-call work (ACW):
  time in wrap-up; average handle time (AHT) = (talk + ACW) / calls.

Indexes: ``ix_agent_state_intervals_started_at`` (intervals begun in the range),
``ix_agent_state_intervals_agent_started`` (each agent's interval running when it
begins) and ``ix_agent_offers_created_at`` (offers made in the range).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models.agents import AGENT_STATES, Agent, AgentOffer, AgentState, OfferStatus
from models.wallboard import AgentDayKept, AgentDayTotals, AgentStateInterval
from reports.kpis import calls_final_last
from reports.london import DayRange, as_date, day_of, days_between, london_date, runs, start_of_day


@dataclass
class AgentDay:
    """One agent's day, or (day None) their whole period."""
    agent_id: int
    name: str
    day: date | None
    seconds: dict[str, float] = field(default_factory=lambda: {s: 0.0 for s in AGENT_STATES})
    calls: int = 0
    talk_seconds: float = 0.0
    talked_calls: int = 0  # calls whose end is known (talk time counted)
    missed_offers: int = 0

    def add(self, other: AgentDay) -> None:
        for state, value in other.seconds.items():
            self.seconds[state] = self.seconds.get(state, 0.0) + value
        self.calls += other.calls
        self.talk_seconds += other.talk_seconds
        self.talked_calls += other.talked_calls
        self.missed_offers += other.missed_offers

    @property
    def on_duty_seconds(self) -> float:
        return self.seconds["available"] + self.seconds["busy"] + self.seconds["wrap_up"]

    @property
    def occupancy(self) -> float | None:
        on_duty = self.on_duty_seconds
        return (self.seconds["busy"] + self.seconds["wrap_up"]) / on_duty if on_duty else None

    @property
    def talk_avg_seconds(self) -> float | None:
        return self.talk_seconds / self.talked_calls if self.talked_calls else None

    @property
    def acw_avg_seconds(self) -> float | None:
        return self.seconds["wrap_up"] / self.calls if self.calls else None

    @property
    def aht_seconds(self) -> float | None:
        if self.talk_avg_seconds is None:
            return None
        return self.talk_avg_seconds + (self.acw_avg_seconds or 0.0)


@dataclass
class AgentActivity:
    range: DayRange
    days: list[AgentDay]      # per agent per day with anything recorded, by day then name
    agents: list[AgentDay]    # per agent over the whole range, by name
    total: AgentDay


def seconds_between(db: Session, later, earlier):
    if db.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def agent_activity(db: Session, days: DayRange, now: datetime) -> AgentActivity:
    """Days whose calls are final and kept (agent_days, by the kpi-days job) are read from
    their rows; every other day is counted from the intervals and offers."""
    names = dict(db.exec(select(Agent.id, Agent.name)).all())
    rows: dict[tuple[int, date], AgentDay] = {}

    def row(agent_id: int, day: date) -> AgentDay:
        key = (agent_id, day)
        if key not in rows:
            rows[key] = AgentDay(agent_id, names.get(agent_id, f"agent #{agent_id}"), day)
        return rows[key]

    kept = _kept_days(db, days, now)
    if kept:
        for totals in db.exec(select(AgentDayTotals).where(AgentDayTotals.day >= min(kept),
                                                           AgentDayTotals.day <= max(kept))).all():
            if as_date(totals.day) in kept:
                _from_totals(row(totals.agent_id, as_date(totals.day)), totals)
    for run in runs([day for day in days_between(days.first, days.last) if day not in kept]):
        counted(db, run, now, row)
    per_day = sorted(rows.values(), key=lambda r: (r.day, r.name.lower()))
    per_agent: dict[int, AgentDay] = {}
    total = AgentDay(0, "All agents", None)
    for r in per_day:
        per_agent.setdefault(r.agent_id, AgentDay(r.agent_id, r.name, None)).add(r)
        total.add(r)
    return AgentActivity(days, per_day, sorted(per_agent.values(), key=lambda r: r.name.lower()), total)


def counted(db: Session, days: DayRange, now: datetime, row) -> None:
    """DAYS counted from the intervals and offers, into ROW(agent_id, day)."""
    _state_time(db, days, now, row)
    _offers(db, days, row)


def as_totals(day: AgentDay) -> dict:
    """DAY as an agent_days row (services/kpi_days keeps them)."""
    return {"day": day.day, "agent_id": day.agent_id, **{f"{s}_seconds": day.seconds.get(s, 0.0) for s in AGENT_STATES},
            "calls": day.calls, "talked_calls": day.talked_calls, "talk_seconds": day.talk_seconds,
            "missed_offers": day.missed_offers}


def _from_totals(day: AgentDay, totals: AgentDayTotals) -> None:
    day.seconds = {s: float(getattr(totals, f"{s}_seconds")) for s in AGENT_STATES}
    day.calls, day.talked_calls = totals.calls, totals.talked_calls
    day.talk_seconds, day.missed_offers = totals.talk_seconds, totals.missed_offers


def _kept_days(db: Session, days: DayRange, now: datetime) -> set[date]:
    last = min(days.last, calls_final_last(now))
    if last < days.first:
        return set()
    return {as_date(d) for d in db.exec(select(AgentDayKept.day).where(AgentDayKept.day >= days.first,
                                                                       AgentDayKept.day <= last)).all()}


def _state_time(db: Session, days: DayRange, now: datetime, row) -> None:
    """Seconds per agent, day and state.  The intervals that begin and end on one London
    day inside the range (nearly all) are summed by the database; the few others (across
    midnight, still open, or past the range's end) and each agent's interval running
    when the range begins are cut into days here.  Every read is an index range of the
    days shown, so a month costs the same after five years of history as after one."""
    start, end = days.start, min(days.end, now)
    if end <= start:
        return
    began = day_of(db, AgentStateInterval.started_at, start, end)
    ended = day_of(db, AgentStateInterval.ended_at, start, end)
    in_range = (AgentStateInterval.started_at >= start, AgentStateInterval.started_at < end)
    whole = and_(AgentStateInterval.ended_at.is_not(None), AgentStateInterval.ended_at <= end, began == ended)
    summed = (select(AgentStateInterval.agent_id, began.label("day"), AgentStateInterval.state,
                     func.sum(seconds_between(db, AgentStateInterval.ended_at, AgentStateInterval.started_at)))
              .where(*in_range, whole)
              .group_by(AgentStateInterval.agent_id, began, AgentStateInterval.state))
    for agent_id, day, state, seconds in db.exec(summed).all():
        spent = row(agent_id, as_date(day)).seconds
        spent[state] = spent.get(state, 0.0) + round(float(seconds or 0), 3)  # SQLite's julianday: ms, not µs
    columns = (AgentStateInterval.agent_id, AgentStateInterval.state, AgentStateInterval.started_at,
               AgentStateInterval.ended_at)
    cut = db.exec(select(*columns).where(*in_range, ~whole)).all()
    running = db.exec(select(*columns).where(_running_at(start))).all()
    for agent_id, state, started_at, ended_at in [*cut, *running]:
        begins, ends = max(started_at, start), min(ended_at or end, end)
        day = london_date(begins)
        while ends > begins:
            day_end = start_of_day(day + timedelta(days=1))
            spent = row(agent_id, day).seconds
            spent[state] = spent.get(state, 0.0) + (min(ends, day_end) - begins).total_seconds()
            begins, day = day_end, day + timedelta(days=1)


ON_DUTY = tuple(state for state in AGENT_STATES if state != AgentState.OFFLINE.value)


def _running_at(start: datetime):
    """SQL: the interval is its agent's last begun before START (the one running then,
    if it had not ended), found per agent by ``ix_agent_state_intervals_agent_started``."""
    earlier = aliased(AgentStateInterval)
    latest = (select(earlier.id).where(earlier.agent_id == Agent.id, earlier.started_at < start)
              .order_by(earlier.started_at.desc()).limit(1).correlate(Agent).scalar_subquery())
    return AgentStateInterval.id.in_(select(latest).select_from(Agent))


def on_duty_seconds(db: Session, start: datetime, end: datetime) -> float:
    """Seconds all agents together spent on duty (available, busy or in wrap-up) from
    START to END, which is now: the intervals begun since summed by the database, each
    agent's interval running at START added here; both index ranges of the window."""
    begun = db.exec(select(func.sum(seconds_between(db, func.coalesce(AgentStateInterval.ended_at, end),
                                                    AgentStateInterval.started_at)))
                    .where(AgentStateInterval.started_at >= start, AgentStateInterval.started_at < end,
                           AgentStateInterval.state.in_(ON_DUTY))).one()
    running = db.exec(select(AgentStateInterval.started_at, AgentStateInterval.ended_at).where(
        _running_at(start), AgentStateInterval.state.in_(ON_DUTY))).all()
    carried = sum(max(0.0, (min(ended or end, end) - start).total_seconds()) for _, ended in running)
    return float(begun or 0) + carried


def _flag(condition):
    return case((condition, 1), else_=0)


def _offers(db: Session, days: DayRange, row) -> None:
    start, end = days.start, days.end
    day = day_of(db, AgentOffer.created_at, start, end).label("day")
    talked = and_(AgentOffer.status == OfferStatus.ENDED.value, AgentOffer.answered_at.is_not(None),
                  AgentOffer.ended_at.is_not(None))
    query = (select(AgentOffer.agent_id, day,
                    func.sum(_flag(AgentOffer.answered_at.is_not(None))),
                    func.sum(_flag(talked)),
                    func.sum(case((talked, seconds_between(db, AgentOffer.ended_at, AgentOffer.answered_at)),
                                  else_=0)),
                    func.sum(_flag(AgentOffer.status == OfferStatus.MISSED.value)))
             .where(AgentOffer.created_at >= start, AgentOffer.created_at < end)
             .group_by(AgentOffer.agent_id, day))
    for agent_id, day_value, calls, talked_n, talk, missed in db.exec(query).all():
        r = row(agent_id, as_date(day_value))
        r.calls, r.talked_calls = int(calls or 0), int(talked_n or 0)
        r.talk_seconds, r.missed_offers = round(float(talk or 0), 1), int(missed or 0)


