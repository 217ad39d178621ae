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
CALLS_CAPTION = "Calls per {period}: the figures in the charts above"
FOLLOW_UP_CAPTION = "Callbacks and text messages per {period}: the figures in the chart above"


def _duration_step(values) -> int:
    """Ticks at whole minutes (or halves, quarters) so the axis reads 1 min, 2 min..."""
    top = max([v for v in values if v] or [60])
    for step in (15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if top / step <= 6:
            return step
    return 7200


def _charts(report, target: float) -> dict[str, charts.Chart]:
    period = report.period
    starts = [r.start for r in report.rows]
    labels = [charts.period_label(s, period) for s in starts]
    part = charts.part_periods(starts, 1 if period == "day" else 7, report.range.last, london_now().date())
    x_title = "Day" if period == "day" else "Week commencing (Monday)"
    c = [r.counts for r in report.rows]
    calls_caption = CALLS_CAPTION.format(period=period)
    common = {"labels": labels, "part": part, "x_title": x_title}
    speeds = [x.asa_seconds for x in c] + [x.aht_seconds for x in c]
    return {
        "volume": charts.Chart(
            "chart-volume", "Calls offered, answered and abandoned", "bar", "kpi-table", calls_caption,
            series=[charts.series("Offered", [x.offered for x in c]),
                    charts.series("Answered", [x.answered for x in c]),
                    charts.series("Abandoned", [x.abandoned for x in c])],
            y=charts.CALLS, **common),
        "service": charts.Chart(
            "chart-service", f"Service level against the {target:g}% target", "line", "kpi-table", calls_caption,
            series=[charts.series("Service level", [x.service_level for x in c], 100),
                    charts.series("Service level incl. abandoned", [x.service_level_with_abandoned for x in c], 100),
                    charts.series("Abandonment rate", [x.abandonment_rate for x in c], 100)],
            y=charts.PERCENT, target={"value": target, "label": f"Target {target:g}%"}, **common),
        "speed": charts.Chart(
            "chart-speed", "Average speed of answer and average handle time", "bar", "kpi-table", calls_caption,
            series=[charts.series("Average speed of answer", [x.asa_seconds for x in c]),
                    charts.series("Average handle time", [x.aht_seconds for x in c])],
            y=dict(charts.SECONDS, step=_duration_step(speeds)), empty_text="No answered calls in this period.",
            **common),
        "follow_up": charts.Chart(
            "chart-follow-up", "Callbacks within the victim's window and texts delivered", "line",
            "kpi-follow-up-table", FOLLOW_UP_CAPTION.format(period=period),
            series=[charts.series("Callbacks in window", [x.callbacks_in_window_rate for x in c], 100),
                    charts.series("Texts delivered", [x.sms_delivery_rate for x in c], 100)],
            y=dict(charts.PERCENT, title="Share (%)"), empty_text="No callbacks completed and no texts sent in this period.",
            **common),
    }


@bp.get("/kpis")
@require_role("supervisor", "admin")
def kpis():
    form = Form({name: request.args.get(name, "") for name in ("from", "to", "period")})
    period = form.choice("period", "Period", ("day", "week")) or "day"
    days = form.day_range(london_now().date(), DEFAULT_DAYS)
    current = settings.current()
    sl_seconds = current["SERVICE_LEVEL_SECONDS"]
    report = None
    if days is not None and not form.errors:
        if period == "week":  # whole ISO weeks, so no week is half counted
            days = DayRange(week_start(days.first), week_start(days.last) + timedelta(days=6))
        report = kpi_reports.kpis(session(), days, period, sl_seconds)
        form.shows_period(days)
    return render_template("supervisor/kpis.html", form=form, report=report, period=period, days=days,
                           charts=_charts(report, current["SERVICE_LEVEL_TARGET_PERCENT"]) if report else None,
                           sl_seconds=sl_seconds, calls_caption=CALLS_CAPTION.format(period=period),
                           follow_up_caption=FOLLOW_UP_CAPTION.format(period=period)), 400 if form.errors else 200
