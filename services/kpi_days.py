"""Keeping the settled days' KPI sums and their quarter-hours (reports/kpis.py and
reports/intervals.py read them)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.reports import KpiDay, KpiQuarter
from reports.intervals import computed_quarters
from reports.kpis import settled_days_to_keep
from reports.london import DayRange, runs


def keep_settled_days(db: Session, days: DayRange, sl_seconds: int, today: date) -> int:
    """Compute and keep every settled day of DAYS not kept yet, with its quarter-hours
    (in the same transaction as the day's row, so a kept day always has them); returns
    how many days."""
    found = settled_days_to_keep(db, days, sl_seconds, today)
    quarters: dict[date, list[dict]] = {}
    for run in runs(list(found)):
        for (day, quarter), counts in computed_quarters(db, run, sl_seconds).items():
            quarters.setdefault(day, []).append(
                {"service_level_seconds": sl_seconds, "day": day, "quarter": quarter, **asdict(counts)})
    for day, counts in found.items():
        try:
            with db.begin_nested():
                db.add(KpiDay(day=day, service_level_seconds=sl_seconds, counts=asdict(counts)))
                db.flush()
                if quarters.get(day):
                    db.execute(insert(KpiQuarter), quarters[day])
        except IntegrityError:
            pass  # another keeper kept the same day a moment ago
    db.commit()
    return len(found)
