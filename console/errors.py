"""HTML error pages for the console's own blueprints (the API keeps its JSON errors)."""
from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException


def install(bp) -> None:
    @bp.errorhandler(HTTPException)
    def _page(exc: HTTPException):
        return render_template("console/error.html", status=exc.code, title=exc.name,
                               message=exc.description), exc.code
