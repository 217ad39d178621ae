"""RQ workers run inside the test process until the queues are empty."""
from __future__ import annotations

from rq import SimpleWorker


class BurstWorker(SimpleWorker):
    """A SimpleWorker without the command channel (kill-horse, shutdown), which no test
    sends to an in-process worker.  Its listener thread waits on Redis in 60 s polls;
    when a burst ends before the subscription is confirmed, the worker's teardown waits
    out a whole poll for it."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass
