"""History pages: agents' activity per day, and calls per interval of the day, each
with its CSV.  No victim's data here: counts, agents' names and durations."""
from __future__ import annotations

from flask import render_template, request

from console.auth import require_role
from console.supervisor.blueprint import bp
from console.supervisor.formatting import csv_download
from console.supervisor.forms import Form
from desk import settings
from desk.clock import london_now, now
from models.db import session
from reports.agent_activity import agent_activity
from reports.intervals import MAX_DAYS, SIZES
from reports.intervals import intervals as read_intervals

DEFAULT_DAYS = 7
SIZE_NAMES = {"15": "15 minutes", "30": "30 minutes", "60": "60 minutes", "hour": "hour of day (all days added)"}


def _agent_form():
    form = Form({name: request.args.get(name, "") for name in ("from", "to")})
    return form, form.day_range(london_now().date(), DEFAULT_DAYS)


@bp.get("/agents")
@require_role("supervisor", "admin")
def agent_activity_page():
    form, days = _agent_form()
    report = agent_activity(session(), days, now()) if days is not None and not form.errors else None
    return render_template("supervisor/agent_activity.html", form=form, report=report), 400 if form.errors else 200


AGENT_CSV_HEADER = ("day", "agent", "available_seconds", "busy_seconds", "wrap_up_seconds", "offline_seconds",
                    "occupancy", "calls", "talk_avg_seconds", "acw_avg_seconds", "aht_seconds", "missed_offers")


def _r(value, digits=0):
    return None if value is None else round(value, digits) if digits else round(value)


@bp.get("/agents.csv")
@require_role("supervisor", "admin")
def agent_activity_csv():
    form, days = _agent_form()
    if days is None or form.errors:
        return render_template("supervisor/agent_activity.html", form=form, report=None), 400
    report = agent_activity(session(), days, now())
    return csv_download("agent-activity", AGENT_CSV_HEADER, (
        (r.day.isoformat(), r.name, _r(r.seconds["available"]), _r(r.seconds["busy"]), _r(r.seconds["wrap_up"]),
         _r(r.seconds["offline"]), _r(r.occupancy, 3), r.calls, _r(r.talk_avg_seconds), _r(r.acw_avg_seconds),
         _r(r.aht_seconds), r.missed_offers) for r in report.days))


def _interval_form():
    form = Form({name: request.args.get(name, "") for name in ("from", "to", "size")})
    size = form.choice("size", "Interval", tuple(SIZES)) or "60"
    days = form.day_range(london_now().date(), 1 if size in ("15", "30", "60") else DEFAULT_DAYS)
    if days is not None and days.days > MAX_DAYS[size]:
        form.errors.append(f"Per {SIZE_NAMES[size]}, choose at most {MAX_DAYS[size]} days.")
    return form, size, days


@bp.get("/intervals")
@require_role("supervisor", "admin")
def intervals():
    form, size, days = _interval_form()
    sl_seconds = settings.current()["SERVICE_LEVEL_SECONDS"]
    report = read_intervals(session(), days, size, sl_seconds) if days is not None and not form.errors else None
    return render_template("supervisor/intervals.html", form=form, size=size, sizes=SIZE_NAMES, report=report,
                           sl_seconds=sl_seconds), 400 if form.errors else 200


INTERVAL_CSV_HEADER = ("day", "interval", "offered", "answered", "abandoned", "answered_within_sl", "service_level",
                       "asa_seconds", "talk_avg_seconds", "acw_avg_seconds", "aht_seconds")


@bp.get("/intervals.csv")
@require_role("supervisor", "admin")
def intervals_csv():
    form, size, days = _interval_form()
    sl_seconds = settings.current()["SERVICE_LEVEL_SECONDS"]
    if days is None or form.errors:
        return render_template("supervisor/intervals.html", form=form, size=size, sizes=SIZE_NAMES, report=None,
                               sl_seconds=sl_seconds), 400
    report = read_intervals(session(), days, size, sl_seconds)
    return csv_download(f"intervals-{size}", INTERVAL_CSV_HEADER, (
        (r.day.isoformat() if r.day else "all days", r.label(), r.counts.offered, r.counts.answered,
         r.counts.abandoned, r.counts.answered_in_sl, _r(r.counts.service_level, 3), _r(r.counts.asa_seconds),
         _r(r.counts.talk_seconds), _r(r.counts.acw_seconds), _r(r.counts.aht_seconds)) for r in report.rows))
