"""A worker process: RQ's worker with its scheduler, and the periodic sweeps on a timer.

Started by `flask --app wsgi worker` or `python -m workers`; either way it takes the
settings it is given and never builds the web app.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import Worker

from desk import settings
from models import db
from workers import periodic
from workers.queues import all_queues


def run(config: Mapping[str, Any], *, burst: bool = False, name: str | None = None) -> None:
    """Work the queues until stopped (or, with BURST, until they are empty)."""
    queues = all_queues(config)
    with settings.bound(config):
        token = db.bind(db.prepare(config["DATABASE_URL"]))
        try:
            # Sweeps run once at start (a burst worker still catches up on what is
            # owed), then on a timer while the worker lives.
            periodic.enqueue_due(config, force=burst)
            stop = None if burst else periodic.start_timer(config)
            try:
                Worker(queues, connection=queues[0].connection, name=name).work(
                    burst=burst, with_scheduler=True, logging_level="INFO")
            finally:
                if stop:
                    stop.set()
        finally:
            db.unbind(token)
