"""The SMS outbox through real RQ workers against the fake Twilio REST API: every
message delivered exactly once, whatever Twilio does."""
from datetime import timedelta

import pytest
from desk import settings
from sqlmodel import select

from models.cases import Case
from models.db import session
from models.outbox import OutboundMessage, SmsRecipient
from services.outbox import apply_delivery_status, queue_sms, sweep_outbox

VICTIM = "+447911123456"


def queue(app, body="Hello", key="1", to=VICTIM, purpose="test", **kw):
    with app.app_context():
        db = session()
        message = queue_sms(db, to=to, body=body, purpose=purpose, key=key, **kw)
        db.commit()
        return message.id


def row(app, message_id):
    with app.app_context():
        return session().get(OutboundMessage, message_id)


def test_a_queued_message_is_sent_once_with_its_sid_stored(app, fake_twilio, run_workers):
    message_id = queue(app, body="Your case has an update")
    run_workers()
    sent = fake_twilio.messages_to(VICTIM)
    assert [m["body"] for m in sent] == ["Your case has an update"]
    stored = row(app, message_id)
    assert stored.status == "sent" and stored.twilio_sid == sent[0]["sid"]
    assert sent[0]["from"] == app.config["TWILIO_PHONE_NUMBER"]


def test_queueing_the_same_purpose_and_key_twice_sends_once(app, fake_twilio, run_workers):
    first, second = queue(app, key="7"), queue(app, key="7")
    assert first == second
    run_workers()
    from services.outbox import enqueue_send

    with app.app_context():
        enqueue_send(first)  # a stray duplicate job
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(app, fake_twilio, run_workers):
    with app.app_context():
        db = session()
        queue_sms(db, to=VICTIM, body="never", purpose="test", key="rb")
        db.rollback()
    run_workers()
    assert fake_twilio.messages_to(VICTIM) == []


@pytest.mark.parametrize("fault", [
    dict(code=20429), dict(status=429), dict(status=500), dict(status=503),
])
def test_transient_failures_are_retried_until_delivered_once(app, fake_twilio, run_workers, fault):
    fake_twilio.fail_next(2, on="Messages", **fault)
    message_id = queue(app)
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1
    stored = row(app, message_id)
    assert stored.status == "sent" and stored.attempts == 3


def test_a_timeout_where_twilio_did_create_the_message_is_not_sent_again(app, fake_twilio, run_workers):
    fake_twilio.timeout_next(1, delay=2.0, created=True, on="Messages")
    message_id = queue(app)
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1
    stored = row(app, message_id)
    assert stored.status == "sent" and stored.twilio_sid == fake_twilio.messages_to(VICTIM)[0]["sid"]


def test_when_the_look_up_fails_too_nothing_is_sent_until_twilio_can_be_asked(app, fake_twilio, run_workers):
    fake_twilio.timeout_next(1, delay=2.0, created=True, on="Messages")  # Twilio has it; the answer is lost
    fake_twilio.fail_next(1, status=503, on="Messages", method="GET")    # and the first look-up fails
    message_id = queue(app)
    run_workers()
    stored = row(app, message_id)
    looks = [r for r in fake_twilio.requests if r.method == "GET" and r.path.endswith("/Messages.json")]
    assert len(looks) == 2, "looked again after the failed look-up"
    assert len(fake_twilio.messages_to(VICTIM)) == 1, "the text Twilio had was not sent again"
    assert stored.status == "sent" and stored.twilio_sid == fake_twilio.messages_to(VICTIM)[0]["sid"]


def test_an_identical_text_in_flight_is_not_taken_for_ours(app, fake_twilio):
    """Two rows with the same words to the same number (two 'there is an update'
    notices).  While the older is being sent, its message is at Twilio with no SID
    stored yet; the younger, unsure whether its own timed-out send went through, must
    not adopt it (the older would then be recorded, and the younger never sent)."""
    from workers.outbox import send_message
    from services.twilio_client import make_client

    older, younger = queue(app, key="a"), queue(app, key="b")
    with app.app_context():
        db = session()
        first = db.get(OutboundMessage, older)
        first.status = "sending"                               # its POST is in flight...
        at_twilio = make_client(app.config).messages.create(   # ...and has reached Twilio
            to=VICTIM, from_=first.from_number, body=first.body)
        twin = db.get(OutboundMessage, younger)
        twin.status, twin.uncertain = "retry", True            # its own POST went unanswered
        db.commit()
    with app.app_context():
        assert send_message(younger) == "retry", "it waits for the older twin"
    assert row(app, younger).twilio_sid is None and row(app, younger).uncertain
    with app.app_context():
        db = session()
        first = db.get(OutboundMessage, older)
        first.status, first.twilio_sid = "sent", at_twilio.sid  # the older's send finished
        db.commit()
    with app.app_context():
        assert send_message(younger) == "sent"
    sids = [m["sid"] for m in fake_twilio.messages_to(VICTIM)]
    assert len(sids) == 2 and row(app, younger).twilio_sid in sids and row(app, younger).twilio_sid != at_twilio.sid


def test_a_timeout_where_twilio_did_not_create_it_is_sent_on_retry(app, fake_twilio, run_workers):
    fake_twilio.timeout_next(1, delay=2.0, created=False, on="Messages")
    message_id = queue(app)
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1
    assert row(app, message_id).status == "sent"


def test_21610_is_never_retried_and_marks_the_number_opted_out(app, fake_twilio, run_workers):
    fake_twilio.fail_always(21610, to=VICTIM)
    message_id = queue(app)
    run_workers()
    assert row(app, message_id).status == "opted_out"
    assert sum(1 for r in fake_twilio.requests if r.method == "POST") == 1
    second = queue(app, key="later")
    assert row(app, second).status == "suppressed"  # no further sends to that number


@pytest.mark.parametrize("code", [21211, 21614])
def test_invalid_numbers_are_never_retried(app, fake_twilio, run_workers, code):
    fake_twilio.fail_always(code, to=VICTIM)
    message_id = queue(app)
    run_workers()
    assert row(app, message_id).status == "invalid_number"
    assert sum(1 for r in fake_twilio.requests if r.method == "POST") == 1
    with app.app_context():
        assert session().exec(select(SmsRecipient).where(SmsRecipient.phone == VICTIM)).one().invalid


def test_a_case_that_says_sms_is_unsafe_blocks_every_text(app, fake_twilio, run_workers):
    with app.app_context():
        db = session()
        db.add(Case(crime_reference="1/26", reference_digits="126", victim_phone=VICTIM, sms_allowed=False))
        db.commit()
    message_id = queue(app)
    run_workers()
    assert row(app, message_id).status == "suppressed"
    assert fake_twilio.messages_to(VICTIM) == []


def test_an_opt_out_between_queueing_and_sending_stops_the_send(app, fake_twilio, run_workers):
    from models.outbox import record_opt_out

    message_id = queue(app)
    with app.app_context():
        db = session()
        record_opt_out(db, VICTIM, "sms-STOP")
        db.commit()
    run_workers()
    assert row(app, message_id).status == "suppressed"
    assert fake_twilio.messages_to(VICTIM) == []


def test_rows_left_behind_by_a_lost_worker_or_redis_are_swept_and_sent_once(app, fake_twilio, run_workers):
    from desk.redis_conn import connect

    lost_job = queue(app, key="lost-job")
    connect(app.config).flushdb()  # Redis restarted without persistence: the job is gone
    dead_worker = queue(app, key="dead-worker")
    with app.app_context():
        db = session()
        stuck = db.get(OutboundMessage, dead_worker)
        stuck.status, stuck.claimed_at = "sending", stuck.created_at - timedelta(minutes=10)
        db.add(stuck)
        db.commit()
    connect(app.config).flushdb()
    run_workers()
    assert fake_twilio.messages_to(VICTIM) == []
    with app.app_context():
        assert sweep_outbox() == {"requeued": 2, "reclaimed": 1}
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 2
    assert {row(app, lost_job).status, row(app, dead_worker).status} == {"sent"}


def test_delivery_callbacks_are_idempotent_and_never_move_backwards(app, fake_twilio, run_workers):
    message_id = queue(app)
    run_workers()
    sid = row(app, message_id).twilio_sid
    with app.app_context():
        db = session()
        for status in ["delivered", "sent", "queued", "delivered", "undelivered"]:
            assert apply_delivery_status(db, sid, status, None)
        db.commit()
        assert not apply_delivery_status(db, "SM" + "0" * 32, "delivered", None)
    stored = row(app, message_id)
    assert stored.status == "delivered" and stored.twilio_status == "delivered"


def test_the_sweeper_leaves_waiting_jobs_alone_and_requeues_lost_ones(app, clock, fake_twilio, run_workers):
    """Under a backlog an owed row's job is still in line: re-queueing it every sweep
    would pile up a job per row per minute.  Once the line is empty, what is still
    owed had its job lost (Redis restarted) and is queued again."""
    from desk.queues import queue as rq_queue

    ids = [queue(app, key=str(i), body=f"Text {i}") for i in range(5)]
    clock.advance(minutes=10)  # well past the sweeper's grace
    with app.app_context():
        line = rq_queue(app.config, "outbound")
        assert sweep_outbox()["requeued"] == 0 and line.count == 5, "nothing added while jobs wait"
        line.empty()  # Redis lost every job
        assert sweep_outbox()["requeued"] == 5
    run_workers()
    assert sorted(m["body"] for m in fake_twilio.messages_to(VICTIM)) == [f"Text {i}" for i in range(5)]
    assert {row(app, i).status for i in ids} == {"sent"}


# ---------------------------------------------------------------- batches


def queue_together(app, count, body="Update {i}", to=VICTIM):
    """COUNT texts committed in one transaction, as a fan-out of case updates is."""
    with app.app_context():
        db = session()
        ids = [queue_sms(db, to=to, body=body.format(i=i), purpose="test", key=f"t{i}").id for i in range(count)]
        db.commit()
        return ids


def outbound_jobs(app):
    from desk.queues import queue as rq_queue

    with app.app_context():
        return rq_queue(app.config, "outbound").get_jobs()


def test_rows_committed_together_go_to_one_job_each_row_claimed_and_finished_alone(
        app, fake_twilio, run_workers, monkeypatch):
    from services import outbox

    monkeypatch.setattr(outbox, "SEND_BATCH", 3)
    ids = queue_together(app, 7)
    jobs = outbound_jobs(app)
    assert [(job.func_name, job.args) for job in jobs] == [
        ("workers.outbox.send_messages", (ids[0:3],)), ("workers.outbox.send_messages", (ids[3:6],)),
        ("workers.outbox.send_message", (ids[6],))], "batches of SEND_BATCH, a lone row as before"
    claims = []
    real_claim = outbox._claim
    monkeypatch.setattr(outbox, "_claim", lambda db, message_id, now: claims.append(message_id)
                        or real_claim(db, message_id, now))
    run_workers()
    assert claims == ids, "one claim per row, each just before its own send"
    sent = {m["body"]: m["sid"] for m in fake_twilio.messages_to(VICTIM)}
    assert len(fake_twilio.messages_to(VICTIM)) == 7
    for i, message_id in enumerate(ids):
        stored = row(app, message_id)
        assert (stored.status, stored.attempts, stored.twilio_sid) == ("sent", 1, sent[f"Update {i}"])


def test_a_batch_leaves_alone_a_row_another_worker_holds(app, fake_twilio, run_workers):
    ids = queue_together(app, 3)
    with app.app_context():
        db = session()
        held = db.get(OutboundMessage, ids[1])
        held.status = "sending"  # another worker's (a stray duplicate job's) claim
        db.commit()
    run_workers()
    assert sorted(m["body"] for m in fake_twilio.messages_to(VICTIM)) == ["Update 0", "Update 2"]
    assert [row(app, i).status for i in ids] == ["sent", "sending", "sent"]


def test_a_batch_dying_mid_send_leaves_one_row_uncertain_the_rest_sent_and_nothing_twice(
        app, clock, fake_twilio, run_workers, monkeypatch):
    """A job that fails after claiming its second row (as a worker dies mid-send, with
    the text possibly at Twilio): the rows after it are queued again at once, the second
    is left "sending" until the sweeper reclaims it and looks it up before resending."""
    from services import outbox

    ids = queue_together(app, 4)
    real_send = outbox._send

    def dies_on_the_second(db, message):
        if message.id == ids[1]:
            outbox._client().messages.create(to=message.to_number, from_=message.from_number, body=message.body)
            raise RuntimeError("worker died")  # Twilio has the text; its SID is never stored
        return real_send(db, message)

    monkeypatch.setattr(outbox, "_send", dies_on_the_second)
    run_workers()
    monkeypatch.setattr(outbox, "_send", real_send)
    assert [row(app, i).status for i in ids] == ["sent", "sending", "sent", "sent"]
    assert row(app, ids[1]).twilio_sid is None
    clock.advance(minutes=10)  # past OUTBOX_STALE_CLAIM_SECONDS
    with app.app_context():
        assert sweep_outbox() == {"requeued": 1, "reclaimed": 1}
    run_workers()
    bodies = sorted(m["body"] for m in fake_twilio.messages_to(VICTIM))
    assert bodies == [f"Update {i}" for i in range(4)], "each text reached Twilio once"
    assert row(app, ids[1]).note == "found at Twilio after a timeout"
    assert {row(app, i).status for i in ids} == {"sent"}


def test_a_rate_limited_batch_gives_its_rows_back_unsent_to_one_later_job(app, fake_twilio, run_workers):
    """No slot within the limiter's wait: the row in hand is released (not counted as an
    attempt) and it and the rest go to one job a second later; nothing is sent now."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from desk.redis_conn import connect

    settings.override(app.config, SMS_RATE_PER_SECOND="1")
    ids = queue_together(app, 3)
    redis = connect(app.config)
    seconds, micros = redis.time()
    # the sender's next free slot is 10 s away: someone has been sending a lot
    redis.set(f"ratelimit:sms:{app.config['TWILIO_PHONE_NUMBER']}", str((seconds + 10) * 1_000_000 + micros))
    run_workers()
    assert fake_twilio.messages == []
    first = row(app, ids[0])
    assert (first.status, first.attempts, first.note) == ("retry", 0, "rate limited here")
    assert [row(app, i).status for i in ids[1:]] == ["pending", "pending"]
    later = Job.fetch_many(ScheduledJobRegistry("outbound", connection=redis).get_job_ids(), connection=redis)
    assert [(job.func_name, job.args) for job in later] == [("workers.outbox.send_messages", (ids,))]


def test_each_row_of_a_batch_takes_its_own_rate_limit_slot(app, fake_twilio, run_workers):
    """SMS_RATE_PER_SECOND holds inside a batch: 6 texts at 5/s span at least a second
    and no second holds more than 5 (+1 for a send landing late at a window's start)."""
    import time

    settings.override(app.config, SMS_RATE_PER_SECOND="5")
    arrivals, handle = [], fake_twilio.handle

    def timed(method, path, *rest):
        if method == "POST":
            arrivals.append(time.monotonic())
        return handle(method, path, *rest)

    fake_twilio.handle = timed
    queue_together(app, 6)
    assert len(outbound_jobs(app)) == 1
    run_workers()
    assert len(fake_twilio.messages) == 6
    assert arrivals[-1] - arrivals[0] >= 5 / 5 - 0.1, "5 intervals of 0.2 s between the first and the last"
    assert max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals) <= 5 + 1


def test_a_sweep_queues_the_rows_it_finds_in_batches(app, clock, fake_twilio, run_workers):
    from desk.redis_conn import connect

    ids = [queue(app, key=str(i), body=f"Text {i}") for i in range(5)]
    connect(app.config).flushdb()  # Redis restarted: every job lost
    clock.advance(minutes=10)
    with app.app_context():
        assert sweep_outbox()["requeued"] == 5
    assert [(job.func_name, job.args) for job in outbound_jobs(app)] == [("workers.outbox.send_messages", (ids,))]
    run_workers()
    assert sorted(m["body"] for m in fake_twilio.messages_to(VICTIM)) == [f"Text {i}" for i in range(5)]


# ---------------------------------------------------------------- a send job's cost


def test_twilio_pythons_request_logging_stays_out_of_the_info_log(app, fake_twilio, run_workers, caplog):
    """twilio-python logs ~12 INFO lines per request (URL, headers); the workers log at INFO."""
    import logging

    caplog.set_level(logging.INFO)
    queue(app)
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith("twilio")] == []
    assert any(r.name == "services.outbox" and "sent" in r.getMessage() for r in caplog.records)


def test_a_worker_imports_the_job_modules_before_forking_its_work_horses(tmp_path):
    """The worker command gets its queues from all_queues before RQ forks a horse per
    job; a horse whose worker had not imported workers.outbox imported ~230 modules for
    every text it sent."""
    import subprocess
    import sys

    from tests.resilience.fleet import ROOT
    from workers.queues import JOB_MODULES

    code = ("import sys; from workers.queues import all_queues, JOB_MODULES; "
            f"all_queues({{'REDIS_URL': None, 'INSTANCE_PATH': {str(tmp_path)!r}}}); "
            "print(sorted(m for m in JOB_MODULES if m not in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert "workers.outbox" in JOB_MODULES


# ---------------------------------------------------------------- the stale-claim setting


def test_the_send_job_is_queued_with_the_timeout_the_stale_claim_is_checked_against(app):
    from desk.settings import SEND_JOB_TIMEOUT_SECONDS

    queue(app, key="one")
    queue_together(app, 2)
    assert SEND_JOB_TIMEOUT_SECONDS == 120
    assert [job.timeout for job in outbound_jobs(app)] == [SEND_JOB_TIMEOUT_SECONDS] * 2


@pytest.mark.parametrize("stale", ["120", "60", "3", "soon"])
def test_the_app_refuses_to_start_with_a_stale_claim_not_longer_than_the_send_jobs_timeout(
        instance_path, database_url, stale):
    from desk.settings import ConfigError
    from wsgi import create_app

    with pytest.raises(ConfigError) as error:
        create_app({"INSTANCE_PATH": str(instance_path), "DATABASE_URL": database_url,
                    "OUTBOX_STALE_CLAIM_SECONDS": stale})
    assert "OUTBOX_STALE_CLAIM_SECONDS" in str(error.value)
    if stale != "soon":
        assert "longer than the send job's timeout (120 s)" in str(error.value)


@pytest.mark.parametrize("stale", ["121", "300", ""])
def test_a_stale_claim_longer_than_the_send_jobs_timeout_starts(instance_path, database_url, stale):
    from wsgi import create_app

    app = create_app({"INSTANCE_PATH": str(instance_path), "DATABASE_URL": database_url,
                      "OUTBOX_STALE_CLAIM_SECONDS": stale})
    assert app.config["OUTBOX_STALE_CLAIM_SECONDS"] == float(stale or 300)


def test_the_worker_command_refuses_to_start_with_a_short_stale_claim(tmp_path):
    import os
    import subprocess
    import sys

    from tests.resilience.fleet import ROOT

    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
           "OUTBOX_STALE_CLAIM_SECONDS": "60"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "OUTBOX_STALE_CLAIM_SECONDS='60': must be longer than the send job's timeout (120 s)" in result.stderr


def test_texts_queued_in_one_transaction_are_queued_in_redis_only_when_it_commits(app, fake_twilio, run_workers):
    """queue_sms inserts each row in a SAVEPOINT, and SQLAlchemy reports a released
    savepoint as a commit: the first text's job must still wait for the real one (a
    worker would find no row, and the text wait for the sweeper)."""
    with app.app_context():
        db = session()
        queue_sms(db, to=VICTIM, body="first", purpose="test", key="a")
        queue_sms(db, to=VICTIM, body="second", purpose="test", key="b")
        assert outbound_jobs(app) == [], "nothing in Redis before the commit"
        db.commit()
    assert len(outbound_jobs(app)) == 1
    run_workers()
    assert sorted(m["body"] for m in fake_twilio.messages_to(VICTIM)) == ["first", "second"]


def test_a_duplicate_caught_in_its_savepoint_does_not_drop_the_transactions_other_texts(
        app, fake_twilio, run_workers, monkeypatch):
    """A concurrent request created (purpose, key) between queue_sms's look-up and its
    INSERT: the savepoint rolls back, and the texts queued before it in the same
    transaction must still be queued when it commits."""
    from services import outbox

    queue(app, body="made by the other request", key="dup")
    run_workers()
    real_find, misses = outbox._find, iter([None])
    monkeypatch.setattr(outbox, "_find", lambda db, purpose, key: (next(misses, None) if key == "dup" else None)
                        or real_find(db, purpose, key))
    with app.app_context():
        db = session()
        mine = queue_sms(db, to=VICTIM, body="mine", purpose="test", key="mine")
        found = queue_sms(db, to=VICTIM, body="made by this request", purpose="test", key="dup")
        assert found.body == "made by the other request", "the row that won the race"
        db.commit()
        mine_id = mine.id
    run_workers()
    assert sorted(m["body"] for m in fake_twilio.messages_to(VICTIM)) == ["made by the other request", "mine"]
    assert row(app, mine_id).status == "sent"


def test_a_savepoint_rolled_back_later_in_the_transaction_does_not_drop_its_texts(app, fake_twilio, run_workers):
    """Another step of the same request fails inside a savepoint of its own and is
    handled; SQLAlchemy reports that as a rollback, but the text queued before it is
    committed with the transaction and must be queued too."""
    with app.app_context():
        db = session()
        first = queue_sms(db, to=VICTIM, body="first", purpose="test", key="a").id
        try:
            with db.begin_nested():
                db.add(Case(crime_reference="1/26", reference_digits="126", victim_phone=VICTIM))
                raise ValueError("this step failed and was handled")
        except ValueError:
            pass
        db.commit()
    run_workers()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == ["first"]
    assert row(app, first).status == "sent"


def test_the_claim_works_where_the_database_cannot_return_the_updated_row(app, fake_twilio, run_workers, monkeypatch):
    """SQLite before 3.35 has no UPDATE ... RETURNING: the claim then reads the row it won."""
    from services.outbox import enqueue_send

    monkeypatch.setattr(app.extensions["db_engine"].dialect, "update_returning", False)
    message_id = queue(app, body="claimed the old way")
    run_workers()
    with app.app_context():
        enqueue_send(message_id)  # a stray second job finds it taken
    run_workers()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == ["claimed the old way"]
    assert (row(app, message_id).status, row(app, message_id).attempts) == ("sent", 1)
