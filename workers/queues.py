"""The RQ queues every process shares."""
from __future__ import annotations

from rq import Queue

from desk.redis_conn import connect

# Outbound messages and calls first: a victim waiting on a callback matters more
# than housekeeping.
QUEUE_NAMES = ("outbound", "default")


def queue(config: dict, name: str = "default") -> Queue:
    return Queue(name, connection=connect(config))


def all_queues(config: dict) -> list[Queue]:
    return [queue(config, name) for name in QUEUE_NAMES]
