"""The admins' blueprint, which the pages in this package register their routes on."""
from __future__ import annotations

from flask import Blueprint

from console import errors

bp = Blueprint("admin", __name__, url_prefix="/console/admin")
errors.install(bp)
