"""The desk's gauges, read from the database and Redis when Prometheus scrapes: a few
indexed queries (the wallboard's, the owed texts') and a few Redis reads.  Computed per
scrape rather than kept in each process, so every process and every scrape agrees."""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from rq.scheduler import RQScheduler
from sqlmodel import Session

from desk import clock
from desk.queues import QUEUE_NAMES, queue
from desk.redis_conn import connect
from models.db import engine_for
from reports.outbox_backlog import owed
from reports.wallboard import wallboard
from services import readiness, send_errors

log = logging.getLogger(__name__)


class DeskCollector:
    def __init__(self, config: Mapping[str, Any]):
        self.config = config

    def collect(self) -> Iterator[GaugeMetricFamily]:
        failed = GaugeMetricFamily("desk_metrics_collect_failed", "1: this part of the scrape could not be read",
                                   labels=["part"])
        for part in (self._readiness, self._desk, self._queues, self._sending):
            try:
                yield from part()
                failed.add_metric([part.__name__.strip("_")], 0)
            except Exception:  # noqa: BLE001 - one part failing must not lose the rest of the scrape
                log.warning("metrics: %s could not be read", part.__name__.strip("_"), exc_info=True)
                failed.add_metric([part.__name__.strip("_")], 1)
        yield failed

    def _readiness(self):
        ready = GaugeMetricFamily("desk_ready", "1: the readiness check passes (as /readyz)", labels=["check"])
        for check in readiness.run(self.config):
            ready.add_metric([check.name], 1 if check.ok else 0)
        yield ready

    def _desk(self):
        now = clock.now()
        with Session(engine_for(self.config["DATABASE_URL"])) as db:
            texts, oldest = owed(db, now)
            board = wallboard(db, now, self.config["CONSOLE_CALLBACK_OVERDUE_MINUTES"])
        yield GaugeMetricFamily("desk_sms_owed", "Texts pending or retrying whose send time has come", value=texts)
        yield GaugeMetricFamily("desk_sms_oldest_owed_age_seconds",
                                "How long the longest-owed text has been due (0: none owed)", value=oldest or 0)
        yield GaugeMetricFamily("desk_callers_waiting", "Callers waiting in the queue", value=board.callers_waiting)
        yield GaugeMetricFamily("desk_callers_longest_wait_seconds", "The longest current wait (0: nobody waiting)",
                                value=board.longest_wait_seconds or 0)
        yield GaugeMetricFamily("desk_callbacks_pending", "Callbacks pending", value=board.callbacks_pending)
        yield GaugeMetricFamily("desk_callbacks_due", "Pending callbacks due now, inside the victim's window",
                                value=board.callbacks_due)
        yield GaugeMetricFamily("desk_callbacks_overdue",
                                "Callbacks due for longer than CONSOLE_CALLBACK_OVERDUE_MINUTES",
                                value=board.callbacks_overdue)
        agents = GaugeMetricFamily("desk_agents", "Agents by state", labels=["state"])
        for state, count in board.agents.items():
            agents.add_metric([state], count)
        yield agents

    def _sending(self):
        pause = send_errors.paused()
        yield GaugeMetricFamily("desk_sms_sending_paused",
                                "1: all sending is paused because Twilio refused our own set-up (token, account, "
                                "sending number); the texts wait", value=1 if pause else 0)

    def _queues(self):
        depth = GaugeMetricFamily("desk_rq_queue_jobs", "Jobs waiting in an RQ queue (not the delayed ones)",
                                  labels=["queue"])
        failed = GaugeMetricFamily("desk_rq_failed_jobs", "Jobs in an RQ queue's failed registry", labels=["queue"])
        locked = GaugeMetricFamily("desk_rq_scheduler_locked",
                                   "1: a worker's scheduler holds the queue's lock (delayed jobs and retries move)",
                                   labels=["queue"])
        conn = connect(self.config)
        for name in QUEUE_NAMES:
            rq_queue = queue(self.config, name)
            depth.add_metric([name], rq_queue.count)
            failed.add_metric([name], rq_queue.failed_job_registry.get_job_count(cleanup=False))  # a scrape only reads
            locked.add_metric([name], 1 if conn.exists(RQScheduler.get_locking_key(name)) else 0)
        yield from (depth, failed, locked)
