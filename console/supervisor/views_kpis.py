"""KPIs per day or ISO week, as charts with their tables."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from console.auth import require_role
from console.supervisor import charts
from console.supervisor.blueprint import bp
from console.supervisor.forms import Form
from desk import settings
from desk.clock import london_now
from models.db import session
from reports import kpis as kpi_reports
from reports.london import DayRange, week_start

DEFAULT_DAYS = 28


def _label(row, period: str) -> str:
    return row.start.strftime("%d %b") if period == "day" else "w/c " + row.start.strftime("%d %b")


def _charts(report) -> dict:
    labels = [_label(r, report.period) for r in report.rows]
    c = [r.counts for r in report.rows]
    return {
        "volume": charts.bars("Calls offered and answered", "kpi-table", labels,
                              [("Offered", [x.offered for x in c]), ("Answered", [x.answered for x in c]),
                               ("Abandoned", [x.abandoned for x in c])]),
        "service": charts.lines("Service level and abandonment rate", "kpi-table", labels,
                                [("Service level", [x.service_level for x in c]),
                                 ("Service level incl. abandoned", [x.service_level_with_abandoned for x in c]),
                                 ("Abandonment rate", [x.abandonment_rate for x in c])]),
        "speed": charts.bars("Average speed of answer and handle time (seconds)", "kpi-table", labels,
                             [("ASA", [x.asa_seconds for x in c]), ("AHT", [x.aht_seconds for x in c])]),
        "follow_up": charts.lines("Callbacks within window and SMS delivery", "kpi-follow-up-table", labels,
                                  [("Callbacks in window", [x.callbacks_in_window_rate for x in c]),
                                   ("SMS delivered", [x.sms_delivery_rate for x in c])]),
    }


@bp.get("/kpis")
@require_role("supervisor", "admin")
def kpis():
    form = Form({name: request.args.get(name, "") for name in ("from", "to", "period")})
    period = form.choice("period", "Period", ("day", "week")) or "day"
    days = form.day_range(london_now().date(), DEFAULT_DAYS)
    sl_seconds = settings.current()["SERVICE_LEVEL_SECONDS"]
    report = None
    if days is not None and not form.errors:
        if period == "week":  # whole ISO weeks, so no week is half counted
            days = DayRange(week_start(days.first), week_start(days.last) + timedelta(days=6))
        report = kpi_reports.kpis(session(), days, period, sl_seconds)
    return render_template("supervisor/kpis.html", form=form, report=report, period=period,
                           charts=_charts(report) if report else None, label=_label,
                           sl_seconds=sl_seconds), 400 if form.errors else 200
