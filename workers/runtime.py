"""Jobs run inside a Flask app context, so they share the app's settings and sessions.

A worker started by `flask --app wsgi worker` already has one; a worker started any
other way (e.g. plain `rq worker`) builds the app once from the environment.
"""
from __future__ import annotations

import functools

from flask import current_app, has_app_context

_app = None


def with_app_context(job):
    @functools.wraps(job)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return job(*args, **kwargs)
        global _app
        if _app is None:
            from wsgi import create_app

            _app = create_app()
        with _app.app_context():
            return job(*args, **kwargs)

    return wrapper


def config() -> dict:
    return current_app.config
