"""The queues a worker takes jobs from, with every job module loaded before it forks."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import Queue

from desk.queues import QUEUE_NAMES, queue
from workers import call_now, inbound_replay, kpi_days, outbox, rating_rollups, retention, router

# RQ runs each job in a work horse forked from the worker, which imports the job's
# module if the worker has not: for the outbox's send job that is ~230 modules
# (twilio-python's REST resources among them), a fifth of a second of CPU per text.
# Imported here, they are loaded once in the worker and inherited by every fork.
JOB_MODULES = tuple(m.__name__ for m in (outbox, router, call_now, retention, kpi_days, rating_rollups,
                                         inbound_replay))


def all_queues(config: Mapping[str, Any]) -> list[Queue]:
    """Every queue, in the order a worker takes jobs from them."""
    return [queue(config, name) for name in QUEUE_NAMES]
