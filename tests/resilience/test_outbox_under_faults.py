"""The outbox under faults, through the real API path and real worker processes
(`flask --app wsgi worker`), counted at the fake Twilio API:

- 600 case-update texts while a worker is SIGKILLed mid-send, and again while
  Redis is restarted with every queued job lost: each text reaches Twilio once;
- 429 and 5xx storms and timeouts across several workers: backoff, no duplicates,
  nothing lost, and 21610 marks the number opted out without a retry."""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from desk import settings as settings_
from rq import Worker
from sqlmodel import func, select

from desk.redis_conn import connect
from models.db import session
from models.outbox import OutboundMessage
from tests.resilience.fleet import RedisServer, SlowTwilioAPI, Workers
from tests.support.backends import BACKENDS
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from workers.outbox import sweep_outbox
from workers.queues import all_queues

# Enough texts that the 300th (where the kill and the restart land) is mid-run, with
# several batches still to go after it.
TOTAL = 600
PHONES = ["+447911123456", "+447911123457", "+447911123458", "+447911123459"]
WORKERS = 3


# Settings for the test's app and its workers: texts may go at any hour, a rate limit that
# never binds, quick retries and sweeps.
SETTINGS = {"SMS_QUIET_HOURS": "", "SMS_RETRY_BASE_SECONDS": "0.2", "SMS_RATE_PER_SECOND": "5000",
            "OUTBOX_SWEEP_GRACE_SECONDS": "1", "TWILIO_HTTP_TIMEOUT": "5"}
# The test's own sweeper (Stack.run_until_done) reclaims a dead worker's claim after 3 s,
# not 5 minutes.  Only the test's running app gets this: the app and the workers refuse
# at start-up a claim no longer than the send job's timeout (desk/settings.py),
# since a worker still sending could lose its claim and the text go twice.  So the workers
# keep the default, and their own periodic sweeps leave live claims alone.
TEST_SWEEPER = {"OUTBOX_STALE_CLAIM_SECONDS": "3"}


class Stack:
    total = TOTAL

    def __init__(self, app, api, redis_server: RedisServer, twilio: SlowTwilioAPI, workers: Workers):
        self.app, self.api, self.redis, self.twilio, self.workers = app, api, redis_server, twilio, workers

    def queue_updates(self) -> dict[int, str]:
        """TOTAL case updates over the PHONES' cases, posted like the case system does;
        returns each update's id and the text the victim should get."""
        cases = []
        for n, phone in enumerate(PHONES):
            body = {"crime_reference": f"52{n}1234/26", "victim_phone": phone, "contact": {"update_detail": "full", "full_detail_by_text": True,
                                "sms_allowed": True}}  # each text carries its update: bodies tell them apart
            response = self.api.post("/cases", body)
            assert response.status_code == 201, response.json
            cases.append((response.json["id"], body["crime_reference"]))
        expected = {}
        for i in range(self.total):
            case_id, _reference = cases[i % len(cases)]
            message = f"Update {i + 1}: the officer in your case will contact you this week."
            response = self.api.post(f"/cases/{case_id}/updates", {"message": message})
            assert response.status_code == 201, response.json
            expected[response.json["id"]] = message
        return expected

    def statuses(self) -> Counter:
        with self.app.app_context():
            return Counter(dict(session().exec(
                select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all()))

    def queued(self) -> int:
        try:
            return sum(q.count for q in all_queues(self.app.config))
        except Exception:  # noqa: BLE001 - Redis restarting
            return -1

    def run_until_done(self, finished, timeout: float = 300, revive: bool = False) -> dict:
        """Let the workers work; run the sweeper whenever the queues are empty (as the
        periodic job would, sooner); with ``revive``, restart workers that died."""
        deadline, sweeps, revived = time.monotonic() + timeout, 0, 0
        while not finished(statuses := self.statuses()):
            if time.monotonic() > deadline:
                pytest.fail(f"not all sent after {timeout}s: {dict(statuses)}; "
                            f"{len(self.twilio.messages)} at Twilio\n{self.workers.output()}")
            if revive:
                revived += self.workers.revive_dead()
            if self.queued() == 0:
                with self.app.app_context():
                    sweep_outbox()
                sweeps += 1
            time.sleep(0.5)
        return {"sweeps": sweeps, "revived": revived}

    def run_until_all_sent(self, **kw) -> dict:
        return self.run_until_done(lambda statuses: statuses == Counter(sent=self.total), **kw)

    def assert_each_sent_exactly_once(self, expected: dict[int, str]) -> None:
        at_twilio = Counter(m["body"] for m in self.twilio.messages)
        doubled = {body: n for body, n in at_twilio.items() if n > 1}
        assert not doubled, f"{len(doubled)} texts sent more than once, e.g. {next(iter(doubled))}"
        with self.app.app_context():
            rows = session().exec(select(OutboundMessage).where(OutboundMessage.purpose == "case_update")).all()
        assert len(rows) == self.total and sum(at_twilio.values()) == self.total
        by_body = {m["body"]: m["sid"] for m in self.twilio.messages}
        for row in rows:
            update = expected[int(row.dedupe_key)]
            assert f"{update} Call 020 7946 0000 or reply CALL for a call back." in row.body
            assert row.status == "sent" and row.twilio_sid == by_body.get(row.body), row.id
        assert self.twilio.contract_violations == []


@pytest.fixture
def stack(request, app, api, database_url, instance_path, tmp_path):
    # A fleet of worker processes sending 600 texts takes minutes: it runs on one
    # database, PostgreSQL where the suite has it (as production does), else SQLite.
    fleet_backend = BACKENDS[-1]
    if not database_url.startswith(fleet_backend):
        pytest.skip(f"the worker-fleet fault tests run once, on {fleet_backend}")
    options = getattr(request, "param", None) or {}
    settings = {**SETTINGS, **options.get("settings", {})}
    redis_server = RedisServer(tmp_path / "redis").start()
    twilio = SlowTwilioAPI(ACCOUNT_SID, AUTH_TOKEN, delay=0.0, hold_message=options.get("hold")).start()
    settings_.override(app.config, REDIS_URL=redis_server.url, TWILIO_API_BASE=twilio.base_url, **{**TEST_SWEEPER, **settings})
    env = {**os.environ, **settings, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
           "INSTANCE_PATH": str(instance_path), "TWILIO_API_BASE": twilio.base_url,
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
           "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "SECRET_KEY": "test-secret"}
    env.pop("CLOCK", None)
    workers = Workers(env, tmp_path / "logs", WORKERS)
    try:
        yield Stack(app, api, redis_server, twilio, workers)
    finally:
        workers.stop_all()
        twilio.stop()
        redis_server.kill()


def sends(job, message_id: int) -> bool:
    """Whether JOB is the send job for MESSAGE_ID: send_message(id), or one of the
    rows of a send_messages([ids]) (rows a sweep re-queued go in batches)."""
    rows = job.args[0] if job.args and isinstance(job.args[0], list) else job.args
    return job.func_name.startswith("workers.outbox.send_message") and message_id in rows


# Hold the 300th text's POST.  Its worker must still be waiting for the answer when the
# test, still posting the 600 updates, gets to kill it: with the usual 5 s timeout it
# could give up first (and retry the text as uncertain) instead of dying mid-send.
@pytest.mark.fleet
@pytest.mark.parametrize("stack", [{"hold": 300, "settings": {"TWILIO_HTTP_TIMEOUT": "60"}}], indirect=True)
def test_a_worker_sigkilled_mid_send_loses_and_doubles_nothing(stack):
    stack.workers.start_all()  # sending while the case system is still posting updates
    expected = stack.queue_updates()
    assert stack.twilio.held.wait(180), "the 300th text never reached Twilio\n" + stack.workers.output()

    # Twilio has created the 300th text; kill the worker sending it before it hears so
    with stack.app.app_context():
        held = session().exec(select(OutboundMessage).where(OutboundMessage.body == stack.twilio.held_body)).one()
    assert held.status == "sending", f"its worker no longer waits on Twilio: {held.status} ({held.note})"
    sender = next(w for w in Worker.all(connection=connect(stack.app.config))
                  if (job := w.get_current_job()) is not None and sends(job, held.id))
    stack.workers.kill(stack.workers.index_of(sender.name))
    at_kill = len(stack.twilio.messages)
    stack.twilio.release.set()

    stack.run_until_all_sent()
    assert 0 < at_kill < TOTAL and len(stack.twilio.messages) > at_kill, "the kill landed mid-batch"
    stack.assert_each_sent_exactly_once(expected)
    with stack.app.app_context():
        adopted = session().get(OutboundMessage, held.id)
    assert adopted.note == "found at Twilio after a timeout", "the dead worker's text was looked up, not resent"


@pytest.mark.fleet
def test_redis_restarted_mid_batch_with_every_job_lost(stack):
    expected = stack.queue_updates()
    stack.workers.start_all()
    stack.twilio.wait_for(lambda: len(stack.twilio.messages) >= 300, timeout=180)
    stack.redis.restart()
    at_restart = len(stack.twilio.messages)
    owed = TOTAL - stack.statuses()["sent"]
    assert owed > 0 and stack.queued() == 0, "the restart lost the queued jobs"

    outcome = stack.run_until_all_sent(revive=True)
    assert at_restart < TOTAL and len(stack.twilio.messages) > at_restart, "the restart landed mid-batch"
    assert outcome["sweeps"] >= 1
    stack.assert_each_sent_exactly_once(expected)


# No worker dies here, so claims are left to their workers: with the kill tests' 3 s a
# worker merely slowed by the 1.5 s timeouts on a busy machine could lose its claim and
# a text be tried twice (production's 300 s is longer than a send job may live, 120 s;
# 150 s here, for the test's sweeper and the workers alike, passes the start-up check).
STORM = {"settings": {"SMS_RETRY_BASE_SECONDS": "1", "TWILIO_HTTP_TIMEOUT": "1",
                      "OUTBOX_STALE_CLAIM_SECONDS": "150"}}


@pytest.mark.fleet
@pytest.mark.parametrize("stack", [STORM], indirect=True)
def test_429_and_5xx_storms_and_timeouts_back_off_and_send_each_text_once(stack):
    stack.total = 120
    unsubscribed = PHONES[3]  # replied STOP to Twilio: every text to it is refused (21610)
    stack.twilio.fail_always(21610, to=unsubscribed)
    stack.twilio.fail_next(90, code=20429, on="Messages")
    stack.twilio.fail_next(40, status=503, on="Messages")
    stack.twilio.fail_next(20, status=500, on="Messages")
    stack.twilio.timeout_next(6, delay=1.5, created=True, on="Messages")   # Twilio had it; the answer was lost
    stack.twilio.timeout_next(6, delay=1.5, created=False, on="Messages")
    stack.queue_updates()
    stack.workers.start_all()
    # the first refusal records the opt-out; texts not yet tried are then suppressed unsent
    stack.run_until_done(lambda s: s["sent"] == 90 and s["opted_out"] + s["suppressed"] == 30)

    with stack.app.app_context():
        rows = session().exec(select(OutboundMessage)).all()
    at_twilio = Counter(m["body"] for m in stack.twilio.messages)
    sendable = [r for r in rows if r.to_number != unsubscribed]
    assert sorted(at_twilio.values()) == [1] * 90, "each text to a subscribed number reached Twilio once"
    assert {r.body for r in sendable} == set(at_twilio)
    assert all(r.status == "sent" and r.twilio_sid for r in sendable)
    refused = [r for r in rows if r.to_number == unsubscribed]
    assert {(r.status, r.error_code) for r in refused} <= {("opted_out", 21610), ("suppressed", None)}
    assert any(r.status == "opted_out" for r in refused)
    tried = {r.id: (r.status, r.note, len(stack.twilio.attempts.get(r.body, []))) for r in refused}
    assert all(n == (status == "opted_out") for status, _note, n in tried.values()), \
        f"21610 is never retried, and nothing more is tried once the number is known to be opted out: {tried}"

    # every retry waited for its backoff (how the delay grows: test_retry_delays_double)
    retried = [times for times in stack.twilio.attempts.values() if len(times) >= 2]
    assert len(retried) >= 50, "the storm hit most texts"
    assert min(later - first for first, later, *_ in retried) >= 0.9, "no retry before SMS_RETRY_BASE_SECONDS"
    assert stack.twilio.contract_violations == []


def test_retry_delays_double_until_twilio_answers(app, clock, fake_twilio, run_workers):
    """The backoff itself, on the service clock: 15 s, 30 s, 60 s, 120 s (+ up to 20%
    jitter), then the text goes, once."""
    from services.outbox import queue_sms

    settings_.override(app.config, SMS_RETRY_BASE_SECONDS="15", SMS_QUIET_HOURS=SETTINGS["SMS_QUIET_HOURS"])
    fake_twilio.fail_next(2, status=503, on="Messages")
    fake_twilio.fail_next(2, code=20429, on="Messages")
    with app.app_context():
        db = session()
        message_id = queue_sms(db, to=PHONES[0], body="Your case has an update", purpose="test", key="1").id
        db.commit()
    delays = []
    for _ in range(5):
        run_workers()
        with app.app_context():
            row = session().get(OutboundMessage, message_id)
            if row.status == "sent":
                break
            delays.append((row.next_attempt_at - clock.current).total_seconds())
            clock.current = row.next_attempt_at
            assert sweep_outbox()["requeued"] == 1, "a due retry is picked up even if its Redis job is lost"
    assert [round(d / base, 1) >= 1.0 and d <= base * 1.2 for d, base in zip(delays, (15, 30, 60, 120))] == [True] * 4
    assert len(fake_twilio.messages) == 1 and row.status == "sent" and row.attempts == 5
