"""A text that fails shows in the logs: each retry at WARNING, a final failure at ERROR."""
import logging

from desk.redact import pseudonym

VICTIM = "+447911123456"


def queue(app, key="1"):
    from models.db import session
    from services.outbox import queue_sms

    with app.app_context():
        db = session()
        message = queue_sms(db, to=VICTIM, body="Hello", purpose="test", key=key)
        db.commit()
        return message.id


def test_each_retry_is_a_warning_with_pseudonym_attempt_and_twilio_code(app, fake_twilio, run_workers, caplog):
    fake_twilio.fail_next(2, on="Messages", status=500)
    queue(app)
    with caplog.at_level(logging.INFO, logger="services.outbox"):
        run_workers()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "services.outbox"]
    assert len(warnings) == 2
    with app.app_context():
        who = pseudonym(VICTIM)
    for attempt, line in enumerate(warnings, start=1):
        assert who in line and f"attempt {attempt}" in line and "20500" in line
        assert VICTIM not in line
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_giving_up_is_an_error(app, clock, fake_twilio, run_workers, caplog):
    from services.outbox import sweep_outbox

    app.config["SMS_RETRY_BASE_SECONDS"] = 60  # a retry waits for the clock, which the test moves
    fake_twilio.fail_next(None, on="Messages", status=500)
    message_id = queue(app)
    with caplog.at_level(logging.INFO, logger="services.outbox"):
        run_workers()
        clock.advance(hours=app.config["SMS_RETRY_MAX_AGE_HOURS"])  # retries end by age
        with app.app_context():
            sweep_outbox()
        run_workers()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "services.outbox"]
    assert len(errors) == 1
    assert f"message {message_id}" in errors[0] and "failed" in errors[0] and "20500" in errors[0]
    assert "attempt 2" in errors[0]


def test_a_refusal_is_an_error(app, fake_twilio, run_workers, caplog):
    fake_twilio.fail_always(code=21612)  # Twilio cannot route to this number
    queue(app)
    with caplog.at_level(logging.INFO, logger="services.outbox"):
        run_workers()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and r.name == "services.outbox"]
    assert len(errors) == 1 and "21612" in errors[0]
