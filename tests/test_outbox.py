"""The SMS outbox through real RQ workers against the fake Twilio REST API: every
message delivered exactly once, whatever Twilio does."""
from datetime import timedelta

import pytest
from sqlmodel import select

from models.cases import Case
from models.db import session
from models.outbox import OutboundMessage, SmsRecipient
from workers.outbox import apply_delivery_status, queue_sms, sweep_outbox

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
    from workers.outbox import enqueue_send

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
    from workers.twilio_client import make_client

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
    from workers.queues import queue as rq_queue

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
