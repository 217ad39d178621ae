"""Admins' pages: staff accounts, desk agents (skills, phone or client identity),
desk-hours overrides and API tokens.  Every change is written to the audit log."""
from __future__ import annotations

from flask import Blueprint

from console import errors

bp = Blueprint("admin", __name__, url_prefix="/console/admin")
errors.install(bp)

from console.admin import people, setup  # noqa: E402,F401  (routes register on bp)
