"""The call log: filters, keyset pages, one call's timeline, and the CSV export."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, render_template, request

from console.audit import audit
from console.auth import require_role
from console.supervisor.blueprint import bp
from console.supervisor.formatting import csv_download, london, spreadsheet_phone
from console.supervisor.forms import LANGUAGES, Form, outcome_choices
from desk.clock import london_now
from models.db import session
from reports import calllog

FILTER_NAMES = ("from", "to", "outcome", "agent", "min_wait", "language")
# A record whose timeline cannot have happened is flagged where it is shown.
bp.add_app_template_global(calllog.timeline_problem, "timeline_problem")
CSV_HEADER = ("started (Europe/London)", "call_sid", "caller", "language", "outcome", "joined queue",
              "wait seconds", "agent", "ended (Europe/London)", "duration seconds", "path")


def _read_filters(agents: dict[int, str]) -> tuple[Form, calllog.CallFilters | None]:
    form = Form({name: request.args.get(name, "") for name in FILTER_NAMES})
    days = form.day_range(london_now().date(), default_days=None)
    outcome = form.choice("outcome", "Outcome", outcome_choices())
    agent = form.integer("agent", "Agent", 1)
    if agent is not None and agent not in agents:
        form.errors.append("Agent is not one of the desk's agents.")
    min_wait = form.integer("min_wait", "Minimum wait", 0, 86400)
    language = form.choice("language", "Language", LANGUAGES)
    if form.errors:
        return form, None
    return form, calllog.CallFilters(start=days.start if days else None, end=days.end if days else None,
                                     outcome=outcome, agent_id=agent, min_wait_seconds=min_wait,
                                     language=language)


def _query_string(form: Form, **extra) -> str:
    values = {k: v for k, v in form.args.items() if v}
    values.update({k: v for k, v in extra.items() if v})
    return urlencode(values)


@bp.get("/calls")
@require_role("supervisor", "admin")
def calls():
    db = session()
    agents = calllog.agent_names(db)
    form, filters = _read_filters(agents)
    page, error = None, None
    if filters is not None:
        try:
            page = calllog.call_page(db, filters, request.args.get("cursor") or None)
        except ValueError as exc:  # a cursor this page did not give out
            error = str(exc)
    errors = form.errors + ([error] if error else [])
    html = render_template("supervisor/calls.html", form=form, page=page, errors=errors, agents=agents,
                           outcomes=outcome_choices(), languages=LANGUAGES,
                           first_page=not request.args.get("cursor"),
                           next_query=_query_string(form, cursor=page.next_cursor) if page and page.next_cursor
                           else None, filter_query=_query_string(form))
    return html, 400 if errors else 200


@bp.get("/calls.csv")
@require_role("supervisor", "admin")
def calls_csv():
    db = session()
    agents = calllog.agent_names(db)
    form, filters = _read_filters(agents)
    if filters is None:
        return render_template("supervisor/calls.html", form=form, page=None, errors=form.errors, agents=agents,
                               outcomes=outcome_choices(), languages=LANGUAGES, first_page=True,
                               next_query=None, filter_query=_query_string(form)), 400
    audit("export_calls", f"calls:export?{_query_string(form)}")

    return csv_download("calls", CSV_HEADER, (
        (london(call.started_at), call.call_sid, spreadsheet_phone(call.caller), call.language, call.outcome,
         london(call.queue_joined_at), call.wait_seconds, agents.get(call.agent_id, call.agent_id),
         london(call.ended_at), call.duration_seconds, " > ".join(call.path or []))
        for call in calllog.iter_calls(db, filters)))


@bp.get("/calls/<int:call_id>")
@require_role("supervisor", "admin")
def call_detail(call_id: int):
    timeline = calllog.call_timeline(session(), call_id)
    if timeline is None:
        abort(404)
    audit("view_call", f"call:{call_id}", phone=timeline.call.caller, case_id=timeline.call.verified_case_id)
    return render_template("supervisor/call.html", t=timeline, agents=calllog.agent_names(session()))
