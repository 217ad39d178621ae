"""RQ's scheduler and the worker registry across a Redis restart, with real worker
processes (`flask --app wsgi worker`), a real redis-server and the fake Twilio API.

RQ's scheduler process exits on the first Redis error, and RQ's worker looks at it
again only every ten minutes: delayed texts and retries stall meanwhile.  A Redis that
comes back empty has also lost the workers' registrations, which RQ never rewrites.
Each worker's watchdog (SCHEDULER_CHECK_SECONDS, 15 s here as in production) restarts
the scheduler and registers the worker again."""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, Worker
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlmodel import select

from desk import settings as settings_
from desk.queues import QUEUE_NAMES
from desk.redis_conn import connect
from models.db import session
from models.outbox import OutboundMessage
from services.outbox import queue_sms
from tests.resilience.fleet import RedisServer, SlowTwilioAPI, Workers
from tests.support.backends import BACKENDS
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

PHONE = "+447911123456"
DELAY = 20        # the text is due this long after it is queued
DOWN = 5          # Redis is away this long: longer than redis-py's own reconnect retries
SENT_WITHIN = 60  # after it is due (the watchdog checks every 15 s)
# Texts at any hour.  The sweeper keeps its production grace (120 s): it would re-queue
# a text whose delayed job stalls, but only well after SENT_WITHIN, so the delayed text
# is sent in time only if a scheduler is running.
SETTINGS = {"SMS_QUIET_HOURS": "", "SCHEDULER_CHECK_SECONDS": "15"}


class Fleet:
    def __init__(self, app, redis_server: RedisServer, twilio: SlowTwilioAPI, workers: Workers):
        self.app, self.redis, self.twilio, self.workers = app, redis_server, twilio, workers

    def connection(self):
        return connect(self.app.config)

    def registered(self) -> set[str]:
        try:
            return {w.name for w in Worker.all(connection=self.connection())}
        except Exception:  # noqa: BLE001 - Redis restarting
            return set()

    def live_scheduler(self) -> str | None:
        """The schedulers holding the queues' locks, if every queue's lock is held and each
        holder has beaten its heart in the last few seconds (a dead one's lock outlives it
        by up to a minute).  Two workers starting at once may split the queues between
        their schedulers: each moves its own queues' due jobs, which is as good as one."""
        names = set()
        try:
            holders = {self.connection().get(RQScheduler.get_locking_key(q)) for q in QUEUE_NAMES}
            if None in holders:
                return None
            for holder in holders:
                scheduler = RQScheduler.fetch(holder.decode(), self.connection())
                beat = scheduler.last_heartbeat
                if not beat or datetime.now(UTC) - beat.replace(tzinfo=UTC) >= timedelta(seconds=5):
                    return None
                names.add(scheduler.name)
        except Exception:  # noqa: BLE001 - Redis restarting, or no such scheduler
            return None
        return ", ".join(sorted(names))

    def wait(self, what: str, predicate, timeout: float) -> float:
        """Seconds until PREDICATE holds; fails after TIMEOUT."""
        start = time.monotonic()
        while not predicate():
            if time.monotonic() - start > timeout:
                pytest.fail(f"{what}: not within {timeout:.0f} s\n{self.workers.output()}")
            time.sleep(0.25)
        return time.monotonic() - start

    def all_up(self) -> bool:
        names = {self.workers.name(i) for i in range(len(self.workers.procs))}
        return self.registered() == names and self.live_scheduler() is not None

    def all_idle(self) -> bool:
        """Every worker waiting for a job, none queued.  RQ's worker quits on a Redis
        error while it runs a job (a supervisor starts it again), but waits out an
        outage while idle: the restarts here find them idle, so the same processes
        are there after it."""
        workers = Worker.all(connection=self.connection())
        queued = sum(Queue(q, connection=self.connection()).count for q in QUEUE_NAMES)
        return self.all_up() and queued == 0 and all(w.get_state() == "idle" for w in workers)

    def queue_text(self, body: str, due: datetime) -> int:
        with self.app.app_context():
            db = session()
            message_id = queue_sms(db, to=PHONE, body=body, purpose="test", key=body, not_before=due).id
            db.commit()
        return message_id

    def status(self, message_id: int) -> str:
        with self.app.app_context():
            return session().exec(select(OutboundMessage.status).where(OutboundMessage.id == message_id)).one()

    def sent_at(self, body: str) -> float | None:
        return next((when[0] for b, when in self.twilio.attempts.items() if b == body), None)


@pytest.fixture
def fleet(request, app, database_url, instance_path, tmp_path):
    if not database_url.startswith(BACKENDS[-1]):
        pytest.skip(f"the worker-fleet fault tests run once, on {BACKENDS[-1]}")
    redis_server = RedisServer(tmp_path / "redis", persist=request.param == "persistent").start()
    twilio = SlowTwilioAPI(ACCOUNT_SID, AUTH_TOKEN).start()
    settings_.override(app.config, REDIS_URL=redis_server.url, TWILIO_API_BASE=twilio.base_url, **SETTINGS)
    env = {**os.environ, **SETTINGS, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
           "INSTANCE_PATH": str(instance_path), "TWILIO_API_BASE": twilio.base_url,
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
           "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "SECRET_KEY": "test-secret"}
    env.pop("CLOCK", None)
    workers = Workers(env, tmp_path / "logs", 2)
    try:
        yield Fleet(app, redis_server, twilio, workers)
    finally:
        workers.stop_all()
        twilio.stop()
        redis_server.kill()


# Production's Redis keeps its data (AOF): the delayed job survives the restart in RQ's
# scheduled registry, and only a running scheduler moves it to the queue when it is due.
@pytest.mark.fleet
@pytest.mark.parametrize("fleet", ["persistent"], indirect=True)
def test_a_text_delayed_across_a_redis_restart_is_sent_when_due(fleet):
    fleet.workers.start_all()
    fleet.wait("both workers registered and a scheduler running", fleet.all_up, timeout=30)

    due = datetime.now(UTC) + timedelta(seconds=DELAY)
    due_monotonic = time.monotonic() + DELAY
    body = "Your case has an update: the officer will call you this week."
    message_id = fleet.queue_text(body, due)
    # its first job finds it not yet due and puts it back for the scheduler
    registry = ScheduledJobRegistry("outbound", connection=fleet.connection())
    fleet.wait("the text waiting in RQ's scheduled registry", lambda: registry.count == 1, timeout=15)
    fleet.wait("the workers idle", fleet.all_idle, timeout=15)

    fleet.redis.restart(down_seconds=DOWN)
    assert registry.count == 1, "the delayed job survived the restart"

    fleet.wait("the delayed text sent", lambda: fleet.sent_at(body) is not None,
               timeout=due_monotonic + SENT_WITHIN - time.monotonic())
    late = fleet.sent_at(body) - due_monotonic
    assert late <= SENT_WITHIN
    assert len(fleet.twilio.messages) == 1
    # The fake Twilio notes the POST as it arrives; the worker marks the row sent once
    # Twilio has answered, a moment later.
    fleet.wait("the text marked sent", lambda: fleet.status(message_id) == "sent", timeout=10)
    fleet.wait("both workers registered and a scheduler running", fleet.all_up, timeout=10)
    for proc in fleet.workers.procs:
        assert proc.poll() is None, "every worker is still running"


# A Redis that comes back empty: no workers listed, no scheduler lock, until each
# worker's watchdog registers it again and one of them starts a scheduler.
@pytest.mark.fleet
@pytest.mark.parametrize("fleet", ["empty"], indirect=True)
def test_workers_register_again_and_a_scheduler_runs_after_redis_comes_back_empty(fleet):
    fleet.workers.start_all()
    fleet.wait("both workers registered, a scheduler running, nothing to do", fleet.all_idle, timeout=30)

    fleet.redis.restart(down_seconds=DOWN)
    assert fleet.registered() == set() and fleet.live_scheduler() is None, "Redis came back empty"
    # each watchdog checks within 15 s of Redis coming back
    fleet.wait("both workers registered again and a scheduler running", fleet.all_up, timeout=30)

    body = "A reminder from the Victim Focus Desk."
    fleet.queue_text(body, datetime.now(UTC) + timedelta(seconds=3))
    fleet.wait("a text due in 3 s sent", lambda: fleet.sent_at(body) is not None, timeout=15)
    for proc in fleet.workers.procs:
        assert proc.poll() is None, "every worker is still running"
