"""Keeping the settled days' KPI sums (reports/kpis.py reads them)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.reports import KpiDay
from reports.kpis import settled_days_to_keep
from reports.london import DayRange


def keep_settled_days(db: Session, days: DayRange, sl_seconds: int, today: date) -> int:
    """Compute and keep every settled day of DAYS not kept yet; returns how many."""
    found = settled_days_to_keep(db, days, sl_seconds, today)
    for day, counts in found.items():
        try:
            with db.begin_nested():
                db.add(KpiDay(day=day, service_level_seconds=sl_seconds, counts=asdict(counts)))
        except IntegrityError:
            pass  # another keeper kept the same day a moment ago
    db.commit()
    return len(found)
