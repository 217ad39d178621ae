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
from workers import periodic, scheduler_watchdog
from workers.queues import all_queues


class DeskWorker(Worker):
    """RQ's worker, stopping at once when told to.  RQ unsubscribes from its control
    channel, then waits for redis-py's listener thread; once the unsubscribe is answered,
    that thread waits up to RQ's 60 s poll for a new subscription before it looks at its
    stop flag, so a worker could take a minute to stop.  The flag is cleared first."""

    def unsubscribe(self):
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=0)  # the flag only: RQ's own stop() waits
        super().unsubscribe()


def run(config: Mapping[str, Any], *, burst: bool = False, name: str | None = None) -> None:
    """Work the queues until stopped (or, with BURST, until they are empty)."""
    queues = all_queues(config)
    with settings.bound(config):
        token = db.bind(db.prepare(config["DATABASE_URL"]))
        try:
            # Made before anything else talks to Redis: RQ's Worker gives the shared
            # connection pool a socket timeout longer than its blocking wait for jobs,
            # but only connections opened afterwards get it.  An older one (redis-py's
            # 5 s) that the wait picks up after a Redis restart times out, and RQ quits.
            worker = DeskWorker(queues, connection=queues[0].connection, name=name)
            # Sweeps run once at start (a burst worker still catches up on what is
            # owed), then on a timer while the worker lives.
            periodic.enqueue_due(config, force=burst)
            stop = None if burst else periodic.start_timer(config)
            # A burst worker runs RQ's scheduler once, in-process; a lasting one leaves
            # its scheduler to the watchdog, which restarts it when it dies.
            watchdog = None if burst else scheduler_watchdog.SchedulerWatchdog(worker).start(
                config["SCHEDULER_CHECK_SECONDS"])
            try:
                worker.work(burst=burst, with_scheduler=burst, logging_level="INFO")
            finally:
                if stop:
                    stop.set()
                if watchdog:
                    watchdog.stop()
        finally:
            db.unbind(token)
