"""What every RQ job runs inside: the settings and a database unit of work.

A worker started by `flask --app wsgi worker` or `python -m workers` binds both for
its process before it forks, and each job uses them.  A job run any other way (for
instance under plain `rq worker`) loads the settings from the environment, once per
process, and binds them for that job.  Neither way builds the web app.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from desk import redact, settings
from models import db

_config: dict[str, Any] | None = None


def job(function):
    """Run FUNCTION with the settings and a database session bound."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if settings.is_bound() and db.is_bound():
            return function(*args, **kwargs)
        config = process_config()
        with settings.bound(config):
            token = db.bind(db.prepare(config["DATABASE_URL"]))
            try:
                return function(*args, **kwargs)
            finally:
                db.unbind(token)

    return run


def process_config() -> Mapping[str, Any]:
    """This process's settings, from the environment, checked once."""
    global _config
    if _config is None:
        _config = settings.load()
        redact.configure(_config)
    return _config
