"""The RQ queues every process shares, and the names of the jobs put on them.

Services enqueue a job by its name (``"workers.outbox.send_message"``), as RQ allows:
the job entry points live in ``workers/`` above the services, which never import them.
Every job enqueued inside a request (or inside a job) carries that request's id in its
meta, so the job's log lines can be joined to the request's (workers/runtime.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rq
from rq.job import Job

from desk import request_ids
from desk.redis_conn import connect

# Outbound messages and calls first: a victim waiting on a callback matters more
# than housekeeping.
QUEUE_NAMES = ("outbound", "default")


class Queue(rq.Queue):
    """RQ's queue; a job made in a request's context takes the request id along.
    (enqueue, enqueue_in and enqueue_at all make their job here.)"""

    def create_job(self, *args, meta: dict | None = None, **kwargs) -> Job:
        if (request_id := request_ids.current()) is not None:
            meta = {request_ids.META_KEY: request_id, **(meta or {})}
        return super().create_job(*args, meta=meta, **kwargs)


def queue(config: Mapping[str, Any], name: str = "default") -> Queue:
    return Queue(name, connection=connect(config))
