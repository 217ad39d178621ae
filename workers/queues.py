"""The RQ queues every process shares."""
from __future__ import annotations

import importlib

from rq import Queue

from desk.redis_conn import connect

# Outbound messages and calls first: a victim waiting on a callback matters more
# than housekeeping.
QUEUE_NAMES = ("outbound", "default")

# The modules whose functions are queued as jobs.  RQ runs each job in a work horse
# forked from the worker, which imports the job's module if the worker has not: for
# the outbox's send job that is ~230 modules (twilio-python's REST resources among
# them), ~0.2 s of CPU for every text (bench/README.md, 4 December 2026).
JOB_MODULES = ("workers.outbox", "workers.router", "workers.call_now", "workers.callbacks",
               "workers.retention", "workers.kpi_days")


def queue(config: dict, name: str = "default") -> Queue:
    return Queue(name, connection=connect(config))


def all_queues(config: dict) -> list[Queue]:
    """Every queue, in the order a worker takes jobs from them.  The job modules are
    imported first, so the work horses a worker forks inherit them."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return [queue(config, name) for name in QUEUE_NAMES]
