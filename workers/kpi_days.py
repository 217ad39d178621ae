"""Nightly: keep the settled days' KPI sums, so a supervisor's first look at a year
of weeks reads kept rows instead of scanning a year of calls."""
from __future__ import annotations

from datetime import timedelta

from desk import settings
from desk.clock import london_now
from models.db import session
from reports.kpis import SETTLED_AFTER_DAYS
from reports.london import DayRange
from services.kpi_days import keep_settled_days as keep
from workers.runtime import job

DAYS_BACK = 400  # the retention period: older calls are anonymised, their counts kept


@job
def keep_settled_days() -> int:
    """Keep every settled day in the last DAYS_BACK not kept yet; returns the days looked at."""
    today = london_now().date()
    last = today - timedelta(days=SETTLED_AFTER_DAYS)
    days = DayRange(last - timedelta(days=DAYS_BACK), last)
    keep(session(), days, settings.current()["SERVICE_LEVEL_SECONDS"], today)
    return days.days
