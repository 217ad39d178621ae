"""Keeping the settled days' KPI sums and their quarter-hours, and each agent's day
(reports/kpis.py, reports/intervals.py and reports/agent_activity.py read them)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.reports import KpiDay, KpiQuarter
from models.wallboard import AgentDayKept, AgentDayTotals
from reports.agent_activity import AgentDay, as_totals, counted
from reports.intervals import computed_quarters
from reports.kpis import calls_final_last, days_to_keep
from reports.london import DayRange, days_between, runs


def keep_settled_days(db: Session, days: DayRange, sl_seconds: int, now: datetime) -> int:
    """Keep every day of DAYS whose calls are final and that is not kept yet, with its
    quarter-hours (in the same transaction as the day's row, so a kept day always has
    them), and make a kept day's row final once its texts' delivery counts are; returns
    how many days it wrote."""
    found = days_to_keep(db, days, sl_seconds, now)
    quarters: dict[date, list[dict]] = {}
    for run in runs([day for day, keep in found.items() if not keep.kept]):
        for (day, quarter), counts in computed_quarters(db, run, sl_seconds).items():
            quarters.setdefault(day, []).append(
                {"service_level_seconds": sl_seconds, "day": day, "quarter": quarter, **asdict(counts)})
    for day, keep in found.items():
        if keep.kept:  # its texts are final now: the quarters hold no texts and stay as they are
            db.execute(update(KpiDay).where(KpiDay.day == day, KpiDay.service_level_seconds == sl_seconds)
                       .values(counts=asdict(keep.counts), sms_final=keep.texts_final, computed_at=now))
            continue
        try:
            with db.begin_nested():
                db.add(KpiDay(day=day, service_level_seconds=sl_seconds, counts=asdict(keep.counts),
                              sms_final=keep.texts_final, computed_at=now))
                db.flush()
                if quarters.get(day):
                    db.execute(insert(KpiQuarter), quarters[day])
        except IntegrityError:
            pass  # another keeper kept the same day a moment ago
    db.commit()
    return len(found)


def keep_agent_days(db: Session, days: DayRange, now: datetime) -> int:
    """Keep each agent's totals for every day of DAYS whose calls are final and not kept
    yet (a marker row per day, in the same transaction); returns how many days."""
    last = min(days.last, calls_final_last(now))
    if last < days.first:
        return 0
    kept = set(db.exec(select(AgentDayKept.day).where(AgentDayKept.day >= days.first,
                                                      AgentDayKept.day <= last)).all())
    wanted = [day for day in days_between(days.first, last) if day not in kept]
    for run in runs(wanted):
        found: dict[tuple[int, date], AgentDay] = {}

        def row(agent_id: int, day: date, found=found) -> AgentDay:
            return found.setdefault((agent_id, day), AgentDay(agent_id, "", day))

        counted(db, run, now, row)
        try:
            with db.begin_nested():
                db.execute(insert(AgentDayKept), [{"day": day, "kept_at": now} for day in days_between(run.first,
                                                                                                        run.last)])
                if found:
                    db.execute(insert(AgentDayTotals), [as_totals(day) for day in found.values()])
        except IntegrityError:
            pass  # another keeper kept these days a moment ago
    db.commit()
    return len(wanted)
