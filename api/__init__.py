"""The JSON API under /api/v1 for the force's case system: cases, engagements and
surveys, calls and callbacks, with bearer tokens and an OpenAPI document."""
from __future__ import annotations

from api import base, callbacks, calls, cases, surveys


def init_app(app) -> None:
    base.init_app(app)  # first: its converter must exist before the other rules are added
    for blueprint in (cases.bp, calls.bp, callbacks.bp, surveys.bp):
        app.register_blueprint(blueprint)
