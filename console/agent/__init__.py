"""Desk agents' pages: state, the call routed to them now (screen pop), the callback
worklist, and posting a case update."""
from __future__ import annotations

from flask import Blueprint

from console import errors

bp = Blueprint("agent", __name__, url_prefix="/console/agent")
errors.install(bp)

from console.agent import callback_views, views  # noqa: E402,F401  (routes register on bp)
