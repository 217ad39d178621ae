"""Hourly: keep each day's KPI sums once its calls are final (04:00 the next day), so a
supervisor's first look at a year of weeks reads kept rows instead of scanning a year
of calls, and only today (and yesterday before 04:00) is counted live."""
from __future__ import annotations

from datetime import timedelta

from desk import settings
from desk.clock import london_now
from models.db import session
from reports.kpis import calls_final_last
from reports.london import DayRange
from services.kpi_days import keep_agent_days
from services.kpi_days import keep_settled_days as keep
from workers.runtime import job

DAYS_BACK = 400  # the retention period: older calls are anonymised, their counts kept


@job
def keep_settled_days() -> int:
    """Keep every day in the last DAYS_BACK whose calls are final and not kept yet (and
    make final the kept days whose texts now are); returns the days looked at."""
    now = london_now()
    last = calls_final_last(now)
    days = DayRange(last - timedelta(days=DAYS_BACK), last)
    db = session()
    keep(db, days, settings.current()["SERVICE_LEVEL_SECONDS"], now)
    keep_agent_days(db, days, now)
    return days.days
