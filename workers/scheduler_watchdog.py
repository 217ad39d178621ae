"""A thread in each worker process that keeps RQ's scheduler running somewhere and the
worker itself listed in Redis.

RQ's scheduler runs in a child process that exits on the first Redis error; RQ's worker
only looks at it again in its ten-minute maintenance, so a Redis restart could leave
delayed texts and retries waiting that long (the dead child a zombie meanwhile).  And a
Redis that comes back empty has lost the worker's registration, which RQ never
rewrites, so `rq info` shows no workers while they work.  Every SCHEDULER_CHECK_SECONDS
this thread reaps its own scheduler if it died, starts one if no live scheduler holds
the lock of every queue, and re-registers the worker if its entry is gone.
"""
from __future__ import annotations

import logging
import threading
from uuid import uuid4

import redis
from rq import Worker, worker_registration
from rq.scheduler import RQScheduler
from rq.utils import as_text

log = logging.getLogger(__name__)


class SchedulerWatchdog:
    def __init__(self, worker: Worker, logging_level: str = "INFO"):
        self.worker = worker
        self.logging_level = logging_level
        # One name for every scheduler this process starts: a successor takes over at
        # once the lock its dead predecessor left in Redis, instead of waiting out the
        # lock's minute-long expiry.  A fresh uuid, as RQ's own, so no other process
        # can ever hold it.
        self.scheduler_name = uuid4().hex
        self.scheduler: RQScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lock_keys(self) -> list[str]:
        return [RQScheduler.get_locking_key(name) for name in self.worker.queue_names()]

    def scheduler_alive(self) -> bool:
        process = self.scheduler._process if self.scheduler else None
        return process is not None and process.is_alive()  # is_alive() also reaps a dead child

    def check(self) -> None:
        """One round: what the thread does every interval."""
        if self.worker._stop_requested or self._stop.is_set():  # shutting down: start nothing, register nothing
            return
        self.reap()
        self.keep_registered()
        if not self.scheduler_alive():
            self.start_scheduler_if_unheld()

    def reap(self) -> None:
        if self.scheduler and self.scheduler._process and not self.scheduler_alive():
            process = self.scheduler._process
            process.join(0)
            log.warning("scheduler process %s exited with %s; starting another if no worker has the lock",
                        process.pid, process.exitcode)
            self.scheduler = None

    def start_scheduler_if_unheld(self) -> None:
        holders = self.worker.connection.mget(self.lock_keys)
        # a lock in this process's name is its dead scheduler's: taken over at once
        if all(holder is not None and as_text(holder) != self.scheduler_name for holder in holders):
            return  # another worker's scheduler has every queue
        scheduler = RQScheduler(self.worker.queues, connection=self.worker.connection,
                                logging_level=self.logging_level, serializer=self.worker.serializer,
                                name=self.scheduler_name)
        if scheduler.acquire_locks():
            scheduler.start()
            self.scheduler = scheduler
            log.info("started the scheduler (pid %s) for %s", scheduler._process.pid,
                     ", ".join(sorted(scheduler.acquired_locks)))

    def keep_registered(self) -> None:
        worker, connection = self.worker, self.worker.connection
        if worker.birth_date is None:
            return  # RQ has not registered it yet
        with connection.pipeline() as pipeline:
            pipeline.sismember(worker.redis_workers_keys, worker.key)
            pipeline.hexists(worker.key, "birth")
            pipeline.hexists(worker.key, "death")
            listed, born, died = pipeline.execute()
        if (listed and born) or died:
            return
        # what RQ's register_birth writes (it refuses a key a heartbeat has recreated),
        # with the state the worker is in
        with connection.pipeline() as pipeline:
            pipeline.hset(worker.key, mapping={**worker.serialize(), "state": worker.get_state()})
            worker_registration.register(worker, pipeline)
            pipeline.expire(worker.key, worker.worker_ttl + 60)
            pipeline.execute()
        log.warning("worker %s was missing from Redis (restarted empty?); registered it again", worker.name)

    def start(self, every_seconds: float) -> SchedulerWatchdog:
        """Check at once, then every EVERY_SECONDS, in a daemon thread."""
        def loop():
            while True:
                try:
                    self.check()
                except redis.exceptions.ConnectionError as exc:  # Redis away: the next round tries again
                    log.warning("scheduler watchdog: no Redis (%s)", exc)
                except Exception:  # noqa: BLE001 - whatever it was, the next round tries again
                    log.exception("scheduler watchdog: check failed")
                if self._stop.wait(every_seconds):
                    return

        self._thread = threading.Thread(target=loop, name="scheduler-watchdog", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop checking, then stop this process's scheduler: it gives its locks back
        for another worker's to take."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)  # a round under way could still be starting one
        process = self.scheduler._process if self.scheduler else None
        if process is not None and process.is_alive():
            process.terminate()  # SIGTERM: RQ's scheduler releases its locks and exits
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
        self.scheduler = None
