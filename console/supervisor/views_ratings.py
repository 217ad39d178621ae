"""Officers' ratings: distribution and weekly trend by borough and officer, officers
to recognise, the victims' comments, and the CSV export."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request

from console.audit import audit
from console.auth import require_role
from console.supervisor import charts
from console.supervisor.blueprint import bp
from console.supervisor.formatting import csv_download, london
from console.supervisor.forms import Form
from desk import settings
from desk.clock import london_now
from models.db import session
from reports import ratings as reports

DEFAULT_DAYS = 84  # twelve weeks
TREND_CAPTION = "Ratings per week (Monday to Sunday): the figures in the charts above"
FILTER_NAMES = ("from", "to", "borough", "officer")
CSV_HEADER = ("rated (Europe/London)", "rating", "via", "comment", "officer_id", "officer", "borough",
              "engagement (Europe/London)", "stage")


def _read(boroughs: list[str]) -> tuple[Form, reports.RatingFilters | None]:
    form = Form({name: request.args.get(name, "") for name in FILTER_NAMES})
    days = form.day_range(london_now().date(), DEFAULT_DAYS)
    borough = form.choice("borough", "Borough", boroughs)
    officer = form.text("officer", 50)
    if form.errors or days is None:
        return form, None
    return form, reports.RatingFilters(days, borough=borough, officer_id=officer)


def _query(form: Form, **extra) -> str:
    values = {k: v for k, v in form.args.items() if v}
    values.update({k: v for k, v in extra.items() if v})
    return urlencode(values)


def _drill(form: Form, **changes) -> str:
    values = {k: v for k, v in form.args.items() if v}
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v})


def _trend_charts(trend, filters) -> dict:
    """A week starting before the range, or not over yet, is marked as a part week."""
    starts = [p.week for p in trend]
    labels = [charts.period_label(s, "week") for s in starts]
    part = charts.part_periods(starts, 7, filters.days.last, london_now().date())
    part = [p or s < filters.days.first for p, s in zip(part, starts)]
    common = {"labels": labels, "part": part, "x_title": "Week commencing (Monday)",
              "empty_text": "No ratings in this period."}
    return {
        "trend_chart": charts.Chart(
            "chart-mean-rating", "Mean rating per week", "line", "trend-table", TREND_CAPTION,
            series=[charts.series("Mean rating", [p.mean for p in trend])],
            y={"title": "Mean rating (1 to 5)", "format": "count", "min": 1, "max": 5, "step": 1}, **common),
        "trend_counts": charts.Chart(
            "chart-rating-count", "Ratings given per week", "bar", "trend-table", TREND_CAPTION,
            series=[charts.series("Ratings", [p.count for p in trend])],
            y={"title": "Number of ratings", "format": "count", "min": 0}, **common),
    }


@bp.get("/ratings")
@require_role("supervisor", "admin")
def ratings():
    db = session()
    boroughs = reports.boroughs(db)
    form, filters = _read(boroughs)
    context = {"form": form, "boroughs": boroughs, "filters": filters, "query": _query(form),
               "borough_link": lambda d: _drill(form, borough=d.key, officer=""),
               "officer_link": lambda d: _drill(form, officer=d.key),
               "min_count": settings.current()["RATINGS_EXCEPTIONAL_MIN_COUNT"],
               "min_mean": settings.current()["RATINGS_EXCEPTIONAL_MIN_MEAN"], "trend_caption": TREND_CAPTION}
    if filters is None:
        return render_template("supervisor/ratings.html", **context), 400
    counts = reports.rating_counts(db, filters)
    context.update(by_stage=counts.stages, response_rates=reports.response_rates(db, filters))
    trend = reports.weekly_trend(db, filters)
    form.shows_period(filters.days)
    context.update(
        overall=counts.overall(), by_borough=counts.by("borough"),
        by_officer=counts.by("officer") if (filters.borough or filters.officer_id) else None,
        exceptional=counts.exceptional(context["min_count"], context["min_mean"]), trend=trend,
        **_trend_charts(trend, filters))
    return render_template("supervisor/ratings.html", **context)


@bp.get("/ratings/comments")
@require_role("supervisor", "admin")
def rating_comments():
    db = session()
    boroughs = reports.boroughs(db)
    form, filters = _read(boroughs)
    page, errors = None, list(form.errors)
    if filters is not None:
        try:
            page = reports.comments(db, filters, request.args.get("cursor") or None)
        except ValueError as exc:
            errors.append(str(exc))
    if page is not None:
        audit("view_comments", f"ratings:comments?{_query(form)}"[:100])
    return render_template("supervisor/comments.html", form=form, boroughs=boroughs, page=page, errors=errors,
                           query=_query(form),
                           next_query=_query(form, cursor=page.next_cursor) if page and page.next_cursor else None,
                           first_page=not request.args.get("cursor")), 400 if errors else 200


@bp.get("/ratings.csv")
@require_role("supervisor", "admin")
def ratings_csv():
    db = session()
    boroughs = reports.boroughs(db)
    form, filters = _read(boroughs)
    if filters is None:
        return render_template("supervisor/ratings.html", form=form, boroughs=boroughs, filters=None,
                               query=_query(form), min_count=0, min_mean=0), 400
    audit("export_ratings", f"ratings:export?{_query(form)}"[:100])

    return csv_download("ratings", CSV_HEADER, (
        (london(r.rated_at), r.rating, r.via, r.comment, r.officer_id, r.officer_name, r.borough,
         london(r.occurred_at), r.stage)
        for r in reports.iter_ratings(db, filters)))
