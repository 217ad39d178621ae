"""Nightly: keep the settled days' KPI sums, so a supervisor's first look at a year
of weeks reads kept rows instead of scanning a year of calls."""
from __future__ import annotations

from datetime import timedelta

from desk import config
from desk.clock import london_now
from models.db import session
from workers.runtime import with_app_context

DAYS_BACK = 400  # the retention period: older calls are anonymised, their counts kept


@with_app_context
def keep_settled_days() -> int:
    """Compute and keep every settled day not kept yet; returns how many days are kept."""
    from console.supervisor.reports.kpis import SETTLED_AFTER_DAYS, kpis
    from console.supervisor.reports.london import DayRange

    today = london_now().date()
    last = today - timedelta(days=SETTLED_AFTER_DAYS)
    days = DayRange(last - timedelta(days=DAYS_BACK), last)
    kpis(session(), days, "day", int(config.setting("SERVICE_LEVEL_SECONDS")), today=today)
    return days.days
