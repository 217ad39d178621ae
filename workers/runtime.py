"""What every RQ job runs inside: the settings and a database unit of work.

A worker started by `flask --app wsgi worker` or `python -m workers` binds both for
its process before it forks, and each job uses them.  A job run any other way (for
instance under plain `rq worker`) loads the settings from the environment, once per
process, and binds them for that job.  Neither way builds the web app.  Either way
the job's log lines carry its id and the id of the request that enqueued it.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from rq import get_current_job

from desk import redact, request_ids, settings
from desk.logs import configure_logging
from models import db

_config: dict[str, Any] | None = None


def job(function):
    """Run FUNCTION with the settings and a database session bound."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        current = get_current_job()
        request_id = current.meta.get(request_ids.META_KEY) if current else request_ids.current()
        with request_ids.bound(request_id, current.id if current else None):
            return _in_context(function, *args, **kwargs)

    return run


def _in_context(function, *args, **kwargs):
    if settings.is_bound() and db.is_bound():
        return function(*args, **kwargs)
    config = process_config()
    with settings.bound(config):
        token = db.bind(db.prepare(config["DATABASE_URL"]))
        try:
            return function(*args, **kwargs)
        finally:
            db.unbind(token)


def process_config() -> Mapping[str, Any]:
    """This process's settings, from the environment, checked once."""
    global _config
    if _config is None:
        _config = settings.load()
        redact.configure(_config)
        configure_logging(_config)
    return _config
