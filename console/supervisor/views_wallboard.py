"""The wallboard: the page, and the JSON its script polls every few seconds."""
from __future__ import annotations

from flask import jsonify, render_template

from console.auth import require_role
from console.security import passive
from console.supervisor.blueprint import bp
from desk import settings
from desk.clock import now
from models.db import session
from reports.wallboard import wallboard as read_wallboard


def _figures():
    return read_wallboard(session(), now(), settings.current()["CONSOLE_CALLBACK_OVERDUE_MINUTES"])


@bp.get("/")
@require_role("supervisor", "admin")
def wallboard():
    return render_template("supervisor/wallboard.html", board=_figures(),
                           overdue_minutes=settings.current()["CONSOLE_CALLBACK_OVERDUE_MINUTES"])


@bp.get("/wallboard.json")
@passive  # polling is not activity: an unattended wallboard still times out
@require_role("supervisor", "admin")
def wallboard_json():
    return jsonify(_figures().to_json())
