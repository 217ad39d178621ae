"""The RQ queues every process shares, and the names of the jobs put on them.

Services enqueue a job by its name (``"workers.outbox.send_message"``), as RQ allows:
the job entry points live in ``workers/`` above the services, which never import them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import Queue

from desk.redis_conn import connect

# Outbound messages and calls first: a victim waiting on a callback matters more
# than housekeeping.
QUEUE_NAMES = ("outbound", "default")


def queue(config: Mapping[str, Any], name: str = "default") -> Queue:
    return Queue(name, connection=connect(config))
