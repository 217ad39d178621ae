"""Retention: calls, texts, callbacks and surveys past RETENTION_DAYS are anonymised,
newer ones are untouched, the figures stay the same, and an old opt-out still stops
every text."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk import settings
from desk.settings import ConfigError
from wsgi import create_app
from sqlmodel import select

from desk.clock import LONDON
from models.callbacks import CallbackRequest
from models.calls import Call
from models.db import session
from models.inbox import InboxMessage
from models.outbox import OutboundMessage, SmsRecipient
from models.staff import CallbackNote
from models.surveys import Engagement, InboundMessage, Survey
from tests.support.cases import ENGAGEMENT
from tests.support.numbers import OTHER, VICTIM
from services.retention import ANONYMISED, anonymise_old_records
from tests.support.staffing import someone_on_duty

# A Monday morning well over 400 days (the default) before the tests' MONDAY_10AM.
LONG_AGO = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
COMMENT = "She listened. I live at 4 Acacia Road and he still drives past"
NOTE = "Spoke to the victim; partner was in the room, call back after 6pm only"


def a_contact_of_every_kind(app, clock, dial, engage, deliver, texter, case, api, *, phone, reference):
    """One call, one rated and commented survey, one case update text and one finished
    callback request from PHONE, all made at the clock's time through the real routes."""
    call = dial(from_=phone)
    call.press("2")
    call.hang_up()
    engagement = engage(victim_phone=phone, crime_reference=reference,
                        occurred_at=(clock.current - timedelta(minutes=30)).isoformat())
    clock.advance(minutes=61)
    deliver()
    texter(phone).send("4")
    texter(phone).send(COMMENT)
    case_id = case(phone=phone, reference=reference, update_detail="full")
    assert api.post(f"/cases/{case_id}/updates", {"message": "A suspect has been charged."}).status_code == 201
    deliver()
    with app.app_context():
        db = session()
        callback = CallbackRequest(call_sid=call.call_sid, phone=phone, window_start="18:00", window_end="20:00",
                                   requested_at=clock.current, verified_case_id=case_id, status="completed")
        db.add(callback)
        db.flush()
        db.add(CallbackNote(callback_id=callback.id, outcome="reached", note=NOTE, at=clock.current))
        db.commit()
    return call.call_sid, engagement["survey_id"]


def rows(app, model, **where):
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session().exec(query.order_by(model.id)).all()


def figures(api):
    calls = api.get("/calls?limit=500").json["calls"]
    return (api.get("/ratings/summary").json,
            [(c["call_sid"], c["started_at"], c["outcome"], c["path"], c["status"], c["wait_seconds"],
              [e["event"] for e in c["queue_events"]]) for c in calls],
            [(s["id"], s["rating"], s["officer_id"], s["borough"], s["status"]) for s in api.get("/surveys").json["surveys"]])


@pytest.fixture
def old_and_new(app, clock, dial, engage, deliver, texter, case, api):
    someone_on_duty(app)
    clock.current = LONG_AGO
    old = a_contact_of_every_kind(app, clock, dial, engage, deliver, texter, case, api,
                                  phone=VICTIM, reference="5201234/25")
    clock.current = LONG_AGO.replace(year=2026, month=10, day=5)  # seven weeks before "now"
    new = a_contact_of_every_kind(app, clock, dial, engage, deliver, texter, case, api,
                                  phone=OTHER, reference="5209999/26")
    clock.current = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    return old, new


def test_old_records_are_anonymised_and_new_ones_untouched(app, api, old_and_new):
    (old_call, old_survey), (new_call, new_survey) = old_and_new
    before = figures(api)
    with app.app_context():
        counts = anonymise_old_records()
    assert counts == {"callbacks_expired": 0, "calls": 1, "callback_requests": 1, "callback_notes": 1,
                      "outbound_messages": 2, "inbound_messages": 2, "inbox_messages": 0, "engagements": 1, "surveys": 1,
                      "case_updates": 1, "cases": 1, "sms_recipients_forgotten": 0, "forum_consents_deleted": 0,
                      "equality_counts_deleted": 0, "audit_log_deleted": 0}

    [call] = rows(app, Call, call_sid=old_call)
    assert (call.caller, call.called, call.state, call.verified_case_id) == (None, None, {}, None)
    assert call.outcome == "abandoned" and call.path, "what happened on the call is kept"
    survey = rows(app, Survey, id=old_survey)[0]
    assert (survey.phone, survey.comment, survey.rating, survey.rated_via) == (ANONYMISED, None, 4, "sms")
    engagement = rows(app, Engagement, id=survey.engagement_id)[0]
    assert engagement.victim_phone == f"anon:{engagement.id}" and engagement.crime_reference is None
    assert (engagement.officer_id, engagement.borough) == (ENGAGEMENT["officer_id"], ENGAGEMENT["borough"])
    for message in rows(app, OutboundMessage):
        if message.created_at < LONG_AGO + timedelta(days=1):
            assert (message.to_number, message.body, message.status) == (ANONYMISED, "", "sent")
        else:
            assert message.to_number == OTHER and message.body
    [callback] = [c for c in rows(app, CallbackRequest) if c.call_sid == old_call]
    assert (callback.phone, callback.window_start, callback.verified_case_id) == (ANONYMISED, None, None)
    notes = {n.callback_id: (n.outcome, n.note) for n in rows(app, CallbackNote)}
    assert notes[callback.id] == ("reached", ""), "the note goes, the outcome stays"
    assert sorted(notes.values()) == [("reached", ""), ("reached", NOTE)], "the newer note is kept"
    old_inbound = [m for m in rows(app, InboundMessage) if m.survey_id == old_survey]
    assert old_inbound and all(m.from_pseudonym == ANONYMISED and m.reply is None for m in old_inbound)

    # the newer contact is as it was
    [call] = rows(app, Call, call_sid=new_call)
    assert call.caller == OTHER and call.state
    survey = rows(app, Survey, id=new_survey)[0]
    assert (survey.phone, survey.comment) == (OTHER, COMMENT)
    assert rows(app, Engagement, id=survey.engagement_id)[0].crime_reference == "5209999/26"
    assert all(m.reply for m in rows(app, InboundMessage) if m.survey_id == new_survey)

    # the figures supervisors see are the same; only the personal fields went
    assert figures(api) == before
    listed = {s["id"]: s["comment"] for s in api.get("/surveys").json["surveys"]}
    assert listed == {old_survey: None, new_survey: COMMENT}
    logged_calls = {c["call_sid"]: c["caller"] for c in api.get("/calls").json["calls"]}
    assert logged_calls == {old_call: None, new_call: OTHER}


def test_a_second_run_finds_nothing_and_a_dry_run_changes_nothing(app, old_and_new):
    with app.app_context():
        dry = anonymise_old_records(dry_run=True)
        assert dry["calls"] == 1 and dry["surveys"] == 1
        assert anonymise_old_records(dry_run=True) == dry, "a dry run must not change anything"
        assert anonymise_old_records() == dry
        assert set(anonymise_old_records().values()) == {0}


def test_the_age_is_configurable(app, old_and_new):
    settings.override(app.config, RETENTION_DAYS="30")  # now the October contact is past it too
    with app.app_context():
        counts = anonymise_old_records()
    assert counts["calls"] == 2 and counts["surveys"] == 2
    assert {c.caller for c in rows(app, Call)} == {None}


def test_small_batches_reach_every_row(app, clock):
    clock.current = LONG_AGO
    with app.app_context():
        db = session()
        for i in range(25):
            db.add(OutboundMessage(purpose="test", dedupe_key=str(i), to_number=VICTIM, from_number="+442079460000",
                                   body=f"text {i}", status="delivered", created_at=LONG_AGO))
        db.add(OutboundMessage(purpose="test", dedupe_key="owed", to_number=VICTIM, from_number="+442079460000",
                               body="still owed", status="retry", created_at=LONG_AGO))
        db.commit()
    clock.current = LONG_AGO + timedelta(days=500)
    app.config["RETENTION_BATCH_SIZE"] = 4
    with app.app_context():
        assert anonymise_old_records()["outbound_messages"] == 25
    kept = [m for m in rows(app, OutboundMessage) if m.to_number != ANONYMISED]
    assert [(m.dedupe_key, m.body) for m in kept] == [("owed", "still owed")], "a text still owed keeps its number"


def test_an_old_opt_out_still_stops_texts_after_retention(app, api, clock, texter, case, deliver, fake_twilio):
    clock.current = LONG_AGO
    texter(VICTIM).send("STOP")
    texter(OTHER).send("STOP")
    texter(OTHER).send("START")  # opted back in: nothing to keep
    clock.current = LONG_AGO + timedelta(days=500)
    with app.app_context():
        counts = anonymise_old_records()
    assert counts["sms_recipients_forgotten"] == 1 and counts["inbound_messages"] == 3
    assert [(r.phone, r.opted_out) for r in rows(app, SmsRecipient)] == [(VICTIM, True)]

    case_id = case(phone=VICTIM, update_detail="full")
    assert api.post(f"/cases/{case_id}/updates", {"message": "Charged."}).status_code == 201
    deliver()
    assert fake_twilio.messages_to(VICTIM) == [], "the victim said STOP; retention must not undo that"
    assert [m.status for m in rows(app, OutboundMessage)] == ["suppressed"]


def test_the_cli_runs_and_dry_runs(app, old_and_new):
    dry = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "calls: 1" in dry.output and "would change" in dry.output
    assert rows(app, Call, caller=VICTIM), "the dry run changed nothing"
    done = app.test_cli_runner().invoke(args=["retention", "run"])
    assert done.exit_code == 0 and "surveys: 1" in done.output
    assert not rows(app, Call, caller=VICTIM)
    with pytest.raises(ConfigError) as refused:  # a bad setting stops start-up, before any run
        create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"],
                    "RETENTION_DAYS": "0"})
    assert "RETENTION_DAYS='0': Input should be greater than or equal to 1" in str(refused.value)


def test_retention_is_a_daily_periodic_job():
    from workers.periodic import PERIODIC

    assert PERIODIC["retention"] == ("workers.retention:anonymise_old_records", 24 * 3600)


def test_inbox_messages_are_anonymised_with_the_rest(app, clock, texter, case):
    case(phone=VICTIM, reference="5201234/25")
    clock.current = LONG_AGO
    texter(VICTIM).send("He was outside my flat again last night, I am scared")
    clock.current = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    texter(OTHER).send("When will I hear about the court date?")
    with app.app_context():
        assert anonymise_old_records()["inbox_messages"] == 1
    old, new = rows(app, InboxMessage)
    assert (old.phone, old.body, old.case_ids, old.urgent) == (ANONYMISED, "", [], True), "the figures stay"
    assert (new.phone, new.body) == (OTHER, "When will I hear about the court date?")
