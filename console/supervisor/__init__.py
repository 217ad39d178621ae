"""Supervisors' pages: wallboard, call log, KPIs and ratings."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/console/supervisor", template_folder="templates")
