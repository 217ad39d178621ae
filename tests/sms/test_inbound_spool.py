"""A text that arrives while the database is down is not lost: Twilio never retries an
inbound webhook, so the text is spooled (in Redis, or a file if Redis is down too), the
sender gets the neutral reply, and a periodic job replays it once the database is back,
texting the reply the conversation produces through the outbox."""
from __future__ import annotations

import json
import shutil
import stat
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from desk.redis_conn import connect
from emulator.signing import new_sid, post_signed
from flows.sms_texts import render
from models.callbacks import CallbackRequest
from models.db import session
from models.outbox import SmsRecipient
from models.surveys import InboundMessage, Survey
from services.inbound_spool import SET_ASIDE_KEY, SPOOL_KEY
from tests.resilience.fleet import free_port
from tests.support.numbers import OTHER, OTHER_PHONE, VICTIM
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, MONDAY_10AM, PUBLIC_BASE_URL

DESK = "020 7946 0000"
RECEIVED = "Message received. In an emergency call 999."


@pytest.fixture
def down(app, clock, instance_path):
    """A second app on the same Redis and instance folder whose database (and, with
    redis=False, Redis) refuses connections: the service during an outage."""
    from wsgi import create_app

    shutil.rmtree(instance_path / "spool", ignore_errors=True)
    closed = free_port()

    def make(redis: bool = True):
        outage = create_app({
            "TESTING": True, "INSTANCE_PATH": str(instance_path), "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"postgresql+psycopg://desk@127.0.0.1:{closed}/desk?connect_timeout=2",
            "REDIS_URL": app.config.get("REDIS_URL") if redis else f"redis://127.0.0.1:{closed}/0"})
        outage.config["CLOCK"] = clock
        return outage

    yield make
    shutil.rmtree(instance_path / "spool", ignore_errors=True)


def text(app, body: str, phone: str = VICTIM, path: str = "/sms/inbound", sid: str | None = None) -> dict:
    """Text the desk through APP; asserts the answer is the neutral reply; returns the params."""
    params = {"MessageSid": sid or new_sid("SM"), "AccountSid": ACCOUNT_SID, "From": phone, "To": DESK_NUMBER,
              "Body": body, "NumMedia": "0"}
    response = post_signed(app.test_client(), PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
    assert response.status_code == 200, response.status_code
    assert ET.fromstring(response.get_data()).findtext("Message") == RECEIVED
    return params


def replay(app) -> dict:
    from workers.inbound_replay import replay_inbound

    with app.app_context():
        return replay_inbound()


def spooled(app) -> list[dict]:
    return [json.loads(raw) for raw in connect(app.config).lrange(SPOOL_KEY, 0, -1)]


def rows(app, model):
    with app.app_context():
        return session().exec(select(model).order_by(model.id)).all()


def invited(engage, clock, deliver, fake_twilio) -> dict:
    created = engage()
    clock.advance(minutes=61)
    deliver()
    assert fake_twilio.messages_to(VICTIM), "the invitation was not sent"
    return created


def test_database_down_keeps_the_text_in_redis_and_answers_neutrally(app, clock, down):
    params = text(down(), "5")
    [kept] = spooled(app)
    assert {name: kept[name] for name in ("From", "To", "Body", "MessageSid", "AccountSid", "NumMedia")} == params
    assert kept["received_at"] == MONDAY_10AM.isoformat()
    assert connect(app.config).ttl(SPOOL_KEY) == -1, "kept until replayed: no expiry"


def test_replay_rates_once_and_texts_the_reply_through_the_outbox(app, clock, engage, deliver, fake_twilio, down):
    created = invited(engage, clock, deliver, fake_twilio)
    received = clock()
    params = text(down(), "5")
    clock.advance(minutes=3)  # the database is back
    assert replay(app)["replayed"] == 1
    assert replay(app)["replayed"] == 0, "the spool is empty after a replay"
    connect(app.config).rpush(SPOOL_KEY, json.dumps({**params, "received_at": received.isoformat()}))
    assert replay(app)["replayed"] == 1, "replayed again, as after a crash before it was removed"
    [stored] = rows(app, InboundMessage)
    assert stored.message_sid == params["MessageSid"] and stored.action.startswith("survey:")
    assert stored.received_at.replace(tzinfo=received.tzinfo) == received
    assert rows(app, Survey)[0].id == created["survey_id"] and rows(app, Survey)[0].rating == 5
    deliver()
    assert fake_twilio.messages_to(VICTIM)[-1]["body"] == render("survey_comment_prompt", rating=5)
    assert len(fake_twilio.messages_to(VICTIM)) == 2, "the invitation and one reply"
    assert spooled(app) == []


def test_a_replayed_call_books_its_call_back(app, clock, case, deliver, fake_twilio, down):
    case_id = case(safe_call_times=["09:00-12:00"], voicemail_allowed=False)
    params = text(down(), "CALL")
    assert rows(app, CallbackRequest) == []
    replay(app)
    [booked] = rows(app, CallbackRequest)
    assert (booked.phone, booked.verified_case_id, booked.status, booked.call_sid) == (
        VICTIM, case_id, "pending", params["MessageSid"])
    deliver()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == [render("callback_booked_now", desk_number=DESK)]


def test_the_fallback_url_spools_and_a_text_stored_after_all_is_not_handled_twice(app, client, clock, case,
                                                                                  outbox, down):
    case(safe_call_times=["09:00-12:00"])
    # the primary handler stored it but answered too late, so Twilio tried the fallback URL
    params = text(down(), "CALL", path="/sms/fallback")
    assert len(spooled(app)) == 1
    response = post_signed(client, PUBLIC_BASE_URL, "/sms/inbound", params, AUTH_TOKEN)
    assert ET.fromstring(response.get_data()).findtext("Message") == render("callback_booked_now", desk_number=DESK)
    assert replay(app)["replayed"] == 1
    assert len(rows(app, InboundMessage)) == 1 and len(rows(app, CallbackRequest)) == 1
    assert outbox() == [], "the reply was given live; none is texted again"
    forged = post_signed(client, PUBLIC_BASE_URL, "/sms/fallback", params, "not-the-auth-token")
    assert forged.status_code == 403, "the fallback URL checks Twilio's signature too"


def test_keywords_twilio_answers_and_numbers_unsafe_to_text_get_no_late_reply(app, clock, case, outbox, down):
    case(phone=OTHER, reference="5209999/26", sms_allowed=False, safe_call_times=["09:00-12:00"])
    outage = down()
    for phone, body in ((VICTIM, "HELP"), (OTHER_PHONE, "START"), (OTHER, "UPDATE"), (OTHER, "hello"),
                        (VICTIM, "STOP")):
        text(outage, body, phone=phone)
    assert replay(app)["replayed"] == 5
    assert outbox() == []
    assert [r.phone for r in rows(app, SmsRecipient) if r.opted_out] == [VICTIM], "the STOP is recorded"
    assert len(rows(app, InboundMessage)) == 5


def test_the_database_still_down_leaves_the_texts_spooled(app, clock, down):
    outage = down()
    text(outage, "5")
    assert replay(outage)["left"] == 1
    assert len(spooled(app)) == 1


def test_texts_that_cannot_be_handled_are_set_aside_with_a_reason(app, clock, outbox, instance_path, down):
    redis = connect(app.config)
    redis.rpush(SPOOL_KEY, b"{not json", json.dumps({"From": VICTIM, "Body": "hi", "received_at": "x"}))
    folder = instance_path / "spool"
    folder.mkdir()
    (folder / "20260101T000000000000-odd.json").write_text(json.dumps({"MessageSid": "SM" + "1" * 32, "Body": 5}))
    text(down(), "hello")
    assert replay(app) == {"replayed": 1, "set_aside": 3, "left": 0}
    reasons = sorted(json.loads(raw)["reason"] for raw in redis.lrange(SET_ASIDE_KEY, 0, -1))
    assert reasons == ["no valid MessageSid", "not JSON"]
    [aside] = (folder / "set-aside").iterdir()
    assert json.loads(aside.read_text())["reason"] == "Body is not text"
    assert spooled(app) == [] and list(folder.glob("*.json")) == []
    assert [(row[0], row[2]) for row in outbox()] == [("sms_reply", VICTIM)], "the good text is answered"


def test_redis_and_database_down_spool_to_a_file_replayed_in_order(app, clock, engage, deliver, fake_twilio,
                                                                    instance_path, down):
    created = invited(engage, clock, deliver, fake_twilio)
    first = text(down(redis=False), "4")
    [kept] = (instance_path / "spool").iterdir()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text())["MessageSid"] == first["MessageSid"]
    clock.advance(minutes=1)
    text(down(), "Kind and quick")  # Redis is back before the database
    assert replay(app)["replayed"] == 2
    survey = next(s for s in rows(app, Survey) if s.id == created["survey_id"])
    assert (survey.rating, survey.comment) == (4, "Kind and quick"), "the rating first, then the comment"
    assert list((instance_path / "spool").glob("*.json")) == []
    deliver()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)][1:] == [
        render("survey_comment_prompt", rating=4), render("survey_forum_ask", rating=4)]


def test_a_text_whose_handling_fails_with_the_database_up_is_set_aside(app, clock, monkeypatch, down):
    from services import inbound_texts

    text(down(), "5")

    def broken(*args, **kwargs):
        raise LookupError("a fault in the handling")

    monkeypatch.setattr(inbound_texts, "handle", broken)
    assert replay(app) == {"replayed": 0, "set_aside": 1, "left": 0}
    [aside] = connect(app.config).lrange(SET_ASIDE_KEY, 0, -1)
    assert json.loads(aside)["reason"] == "could not be handled: LookupError"
    assert spooled(app) == [] and rows(app, InboundMessage) == []


def test_a_passing_database_error_is_tried_again_not_set_aside(app, clock, monkeypatch, outbox, down):
    from sqlalchemy.exc import OperationalError

    from services import inbound_texts

    text(down(), "hello")
    handle, calls = inbound_texts.handle, []

    def deadlocked_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("UPDATE …", {}, Exception("deadlock detected"))
        return handle(*args, **kwargs)

    monkeypatch.setattr(inbound_texts, "handle", deadlocked_once)
    assert replay(app) == {"replayed": 1, "set_aside": 0, "left": 0}
    assert len(rows(app, InboundMessage)) == 1 and len(outbox()) == 1


def test_a_spooled_message_reaches_the_desk_inbox_with_the_time_it_was_sent(app, clock, down, outbox):
    from models.inbox import InboxMessage

    text(down(), "Please can someone ring me about the court date")
    sent_at = clock()
    clock.advance(minutes=20)
    assert replay(app)["replayed"] == 1
    [message] = rows(app, InboxMessage)
    assert (message.body, message.received_at) == ("Please can someone ring me about the court date", sent_at)
