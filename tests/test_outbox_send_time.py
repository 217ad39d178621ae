"""What the worker checks immediately before each send: the quiet hours (London), and
whether Twilio's answer is the recipient's, a passing outage or our own set-up."""
from datetime import datetime

import pytest
from sqlmodel import select

from desk.clock import LONDON
from desk.metrics import SMS_SENDING_PAUSED
from models.db import session
from models.outbox import OutboundMessage, SmsRecipient
from services import send_errors
from services.outbox import queue_sms, sweep_outbox

VICTIM = "+447911123456"


def queue(app, purpose="case_update", key="1", body="There is an update", **kw):
    with app.app_context():
        db = session()
        message = queue_sms(db, to=VICTIM, body=body, purpose=purpose, key=key, **kw)
        db.commit()
        return message.id


def row(app, message_id):
    with app.app_context():
        return session().get(OutboundMessage, message_id)


# ------------------------------------------------------------------ quiet hours


def test_a_text_queued_before_the_quiet_hours_waits_when_the_worker_reaches_it_after(
        app, clock, fake_twilio, run_workers):
    app.config["SMS_QUIET_HOURS"] = "21:00-08:00"
    clock.current = datetime(2026, 11, 23, 20, 55, tzinfo=LONDON)
    first, second = queue(app, key="a", body="first"), queue(app, purpose="survey_invite", key="b", body="second")
    clock.current = datetime(2026, 11, 23, 21, 30, tzinfo=LONDON)  # the workers were down till now
    run_workers()
    assert fake_twilio.messages_to(VICTIM) == []
    for message_id in (first, second):
        waiting = row(app, message_id)
        assert waiting.status == "retry" and waiting.attempts == 0  # not failed, no attempt used
        assert waiting.next_attempt_at.astimezone(LONDON) == datetime(2026, 11, 24, 8, 0, tzinfo=LONDON)
    # the sweeper finds them at night too, and leaves them be
    with app.app_context():
        sweep_outbox()
    run_workers()
    assert fake_twilio.messages_to(VICTIM) == []
    clock.current = datetime(2026, 11, 24, 8, 1, tzinfo=LONDON)
    with app.app_context():
        sweep_outbox()
    run_workers()
    # in the order they were queued
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == ["first", "second"]


def test_a_retry_that_falls_due_in_the_quiet_hours_waits_for_the_morning(app, clock, fake_twilio, run_workers):
    app.config["SMS_QUIET_HOURS"] = "21:00-08:00"
    clock.current = datetime(2026, 11, 23, 20, 59, 59, tzinfo=LONDON)
    fake_twilio.fail_next(1, on="Messages", status=503)
    message_id = queue(app)
    clock.current = datetime(2026, 11, 23, 21, 0, 1, tzinfo=LONDON)  # Twilio answered 503; the retry is at night
    run_workers()
    assert fake_twilio.messages_to(VICTIM) == []
    assert row(app, message_id).next_attempt_at.astimezone(LONDON).hour == 8


def test_a_reply_to_what_the_victim_just_sent_is_not_held(app, clock, fake_twilio, run_workers):
    app.config["SMS_QUIET_HOURS"] = "21:00-08:00"
    clock.current = datetime(2026, 11, 23, 23, 0, tzinfo=LONDON)
    queue(app, purpose="sms_reply", key="SM1", body="Reply STOP to stop all texts")
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 1


# ------------------------------------------------------------------ Twilio's errors


@pytest.mark.parametrize("code", [21211, 21614, 21612])
def test_an_error_about_the_recipient_fails_only_that_text(app, fake_twilio, run_workers, code):
    fake_twilio.fail_always(code=code, to=VICTIM)
    message_id = queue(app, purpose="test")
    run_workers()
    assert row(app, message_id).status in ("invalid_number", "failed")
    with app.app_context():
        assert send_errors.paused() is None


@pytest.mark.parametrize("fault", [dict(code=21611), dict(status=429), dict(status=502)])
def test_a_full_queue_or_an_outage_is_retried(app, fake_twilio, run_workers, fault):
    fake_twilio.fail_next(2, on="Messages", **fault)
    message_id = queue(app, purpose="test")
    run_workers()
    assert row(app, message_id).status == "sent" and len(fake_twilio.messages_to(VICTIM)) == 1


@pytest.mark.parametrize("code", [20003, 21606])
def test_a_configuration_error_pauses_sending_and_alerts_instead_of_failing_texts(
        app, clock, fake_twilio, run_workers, code, caplog):
    fault = fake_twilio.fail_always(code=code, on="Messages")
    before = SMS_SENDING_PAUSED.labels(str(code))._value.get()
    ids = [queue(app, purpose="test", key=str(n)) for n in range(3)]
    run_workers()
    rows = [row(app, i) for i in ids]
    assert [r.status for r in rows] == ["retry"] * 3  # none failed
    assert sum(r.attempts for r in rows) <= 1  # one try found the fault; the rest waited without trying
    with app.app_context():
        pause = send_errors.paused()
    assert pause is not None and pause["code"] == code
    assert SMS_SENDING_PAUSED.labels(str(code))._value.get() == before + 1
    assert any(r.levelname == "ERROR" and "paused" in r.getMessage() for r in caplog.records)
    # the token is fixed: once the pause is over, everything owed goes out once
    fake_twilio.clear_faults()
    del fault
    clock.advance(seconds=send_errors.PAUSE_SECONDS + 1)
    with app.app_context():
        sweep_outbox()
    run_workers()
    assert len(fake_twilio.messages_to(VICTIM)) == 3
    assert {row(app, i).status for i in ids} == {"sent"}


def test_retries_stop_by_age_not_by_count(app, clock, fake_twilio, run_workers):
    app.config.update(SMS_RETRY_MAX_AGE_HOURS=24, SMS_RETRY_BASE_SECONDS=60)  # each retry waits for the clock
    fake_twilio.fail_next(None, on="Messages", status=503)
    message_id = queue(app, purpose="test")
    for _ in range(12):  # more attempts than the old limit of 8, within the day
        with app.app_context():
            sweep_outbox()
        run_workers()
        clock.advance(minutes=30)
    stored = row(app, message_id)
    assert stored.status == "retry" and stored.attempts >= 12
    clock.advance(hours=24)
    with app.app_context():
        sweep_outbox()
    run_workers()
    stored = row(app, message_id)
    assert stored.status == "failed" and "24" in stored.note
    with app.app_context():
        assert session().exec(select(SmsRecipient)).all() == []


def test_the_pause_is_shown_in_the_metrics(app, clock, fake_twilio, run_workers):
    fake_twilio.fail_always(code=20003, on="Messages")
    queue(app, purpose="test")
    run_workers()
    from ops.collector import DeskCollector

    def gauge():
        with app.app_context():
            metrics = {m.name: m for m in DeskCollector(app.config).collect()}
        return metrics["desk_sms_sending_paused"].samples[0].value

    assert gauge() == 1
    clock.advance(seconds=send_errors.PAUSE_SECONDS + 1)
    assert gauge() == 0


# ------------------------------------------------------------------ the rate limit


def test_the_shared_rate_limit_counts_segments_not_texts(app, fake_twilio, run_workers):
    """Three 3-part texts at 6 segments a second take 9 slots: the last goes out at
    least a second after the first (3 texts counted as 3 slots would take a third)."""
    import time

    from desk import settings
    from flows.sms_texts import segments

    settings.override(app.config, SMS_RATE_PER_SECOND="6")
    arrivals, handle = [], fake_twilio.handle

    def timed(method, path, *rest):
        if method == "POST":
            arrivals.append(time.monotonic())
        return handle(method, path, *rest)

    fake_twilio.handle = timed
    long_text = "A long text in three parts. " * 15
    assert segments(long_text) == 3
    with app.app_context():
        db = session()
        for n in range(3):
            queue_sms(db, to=VICTIM, body=long_text, purpose="test", key=f"long{n}")
        db.commit()
    run_workers()
    assert len(arrivals) == 3
    assert arrivals[-1] - arrivals[0] >= 2 * 3 / 6 - 0.1


@pytest.mark.parametrize("code, status, kind", [
    (21610, 400, "recipient"), (21211, 400, "recipient"), (21614, 400, "recipient"), (21612, 400, "recipient"),
    (20429, 429, "temporary"), (None, 429, "temporary"), (20500, 500, "temporary"), (20503, 503, "temporary"),
    (21611, 400, "temporary"), (30001, 400, "temporary"), (29999, 400, "temporary"),  # unknown: never lost
    (20003, 401, "configuration"), (21606, 400, "configuration"), (21212, 400, "configuration"),
    (21659, 400, "configuration"), (20404, 404, "configuration"), (None, 401, "configuration"),
])
def test_each_documented_code_has_its_kind(code, status, kind):
    assert send_errors.classify(code, status).value == kind
