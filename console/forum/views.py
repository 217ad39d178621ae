"""Forum pages: consents (every view and export audited) and the equality aggregates."""
from __future__ import annotations

from flask import Blueprint, render_template

from console.audit import audit
from console.auth import require_role
from console.supervisor.formatting import csv_download, london
from models.db import session
from reports import equality as equality_report
from services import forum

bp = Blueprint("forum", __name__, url_prefix="/console/forum", template_folder="templates")

CSV_HEADER = ("consented (Europe/London)", "contact by", "phone", "email", "borough", "withdraw link")


@bp.get("/")
@require_role("forum")
def consents():
    rows = forum.active_consents(session())
    audit("view_forum_consents", "forum:consents")
    return render_template("forum/consents.html", consents=rows)


@bp.get("/consents.csv")
@require_role("forum")
def consents_csv():
    rows = forum.active_consents(session())
    audit("export_forum_consents", "forum:consents")
    return csv_download("forum-consents", CSV_HEADER, (
        (london(c.consented_at), c.channel, c.phone, c.email, c.borough, forum.withdraw_url(c.survey_id))
        for c in rows))


@bp.get("/equality")
@require_role("forum", "supervisor")
def equality():
    db = session()
    audit("view_equality", "forum:equality")
    return render_template("forum/equality.html", min_cell=equality_report.MIN_CELL, tables=[
        ("Age", "age-table", equality_report.by_age(db)),
        ("Ethnic group", "group-table", equality_report.by_ethnic_group(db)),
        ("Ethnicity", "ethnicity-table", equality_report.by_ethnicity(db)),
    ])
