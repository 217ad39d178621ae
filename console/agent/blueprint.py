"""The agents' blueprint, which the pages in this package register their routes on."""
from __future__ import annotations

from flask import Blueprint

from console import errors

bp = Blueprint("agent", __name__, url_prefix="/console/agent")
errors.install(bp)
