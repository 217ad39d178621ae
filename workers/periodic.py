"""Housekeeping jobs every worker process offers to enqueue on a timer.

Any number of workers on any number of machines may run this; a Redis key per job
(SET NX with the interval as expiry) lets exactly one of them enqueue each round.
"""
from __future__ import annotations

import logging
import threading

from desk.queues import queue
from desk.redis_conn import connect

log = logging.getLogger(__name__)

# name -> (job as "module:function", seconds between runs, or the setting that says)
PERIODIC: dict[str, tuple[str, int | str]] = {
    "dispatch-desk": ("workers.router:dispatch", "DISPATCH_SWEEP_SECONDS"),
    "reconcile-calls": ("workers.router:reconcile_calls", 60),  # callers whose hang-up never reached us
    "sweep-outbox": ("workers.outbox:sweep_outbox", 60),
    "reconcile-deliveries": ("workers.outbox:reconcile_deliveries", 600),  # delivery reports that never came
    "replay-inbound": ("workers.inbound_replay:replay_inbound", 60),
    "retention": ("workers.retention:anonymise_old_records", 24 * 3600),
    "kpi-days": ("workers.kpi_days:keep_settled_days", 3600),  # a day is kept within the hour its calls are final
    "rating-rollups": ("workers.rating_rollups:keep_settled_ratings", 24 * 3600),
}


def enqueue_due(config: dict, force: bool = False) -> list[str]:
    """Enqueue each periodic job whose turn it is; returns their names."""
    connection = connect(config)
    started = []
    for name, (path, every) in PERIODIC.items():
        seconds = int(config[every]) if isinstance(every, str) else every
        if force or connection.set(f"periodic:{name}", "1", nx=True, ex=seconds):
            # by name, as RQ allows: the job module is loaded in the worker already
            queue(config, "default").enqueue(path.replace(":", "."), job_timeout=300)
            started.append(name)
    return started


def start_timer(config: dict, tick_seconds: float = 5.0) -> threading.Event:
    """A daemon thread that offers the periodic jobs every tick; set the event to stop it."""
    stop = threading.Event()

    def loop():
        while not stop.wait(tick_seconds):
            try:
                enqueue_due(config)
            except Exception:  # noqa: BLE001 - Redis away: try again next tick
                log.exception("could not enqueue periodic jobs")

    threading.Thread(target=loop, name="periodic-jobs", daemon=True).start()
    return stop
