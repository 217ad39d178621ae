"""Supervisors' pages: wallboard, call log, KPIs and ratings."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/console/supervisor", template_folder="templates",
               static_folder="static", static_url_path="/static")

from console.supervisor import formatting, views_calls, views_kpis, views_ratings, views_wallboard  # noqa: F401
