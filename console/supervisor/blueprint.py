"""The supervisors' blueprint, which the pages in this package register their routes on."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/console/supervisor", template_folder="templates",
               static_folder="static", static_url_path="/static")
