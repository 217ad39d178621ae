"""Survey invitations and case updates leave through the outbox: real RQ workers
against the fake Twilio REST API, with Twilio misbehaving, each delivered once."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from desk.clock import LONDON, FixedClock
from models.db import session
from models.outbox import OutboundMessage, SmsRecipient
from emulator.signing import post_signed
from tests.support.cases import ENGAGEMENT
from tests.support.numbers import OTHER, VICTIM
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL


def bodies(fake_twilio, phone=VICTIM):
    return [m["body"] for m in fake_twilio.messages_to(phone)]


def rows(app, purpose):
    with app.app_context():
        return session().exec(select(OutboundMessage).where(OutboundMessage.purpose == purpose)).all()


def test_invitation_survives_429s_and_is_sent_once(app, clock, engage, deliver, fake_twilio):
    fake_twilio.fail_next(2, code=20429, on="Messages")
    engage()
    clock.advance(minutes=61)
    deliver()
    assert len(bodies(fake_twilio)) == 1 and bodies(fake_twilio)[0].startswith("Message from the desk you contacted:")
    [row] = rows(app, "survey_invite")
    assert row.status == "sent" and row.attempts == 3


def test_invitation_after_a_timeout_where_twilio_had_it_is_not_sent_twice(app, clock, engage, deliver,
                                                                           fake_twilio):
    fake_twilio.timeout_next(1, delay=2.0, created=True, on="Messages")
    engage()
    clock.advance(minutes=61)
    deliver()
    deliver()
    assert len(bodies(fake_twilio)) == 1


def test_21610_marks_the_number_opted_out_and_later_invitations_are_suppressed(app, api, clock, engage,
                                                                                deliver, fake_twilio):
    fake_twilio.fail_always(21610, to=VICTIM)
    engage()
    clock.advance(minutes=61)
    deliver()
    assert bodies(fake_twilio) == []
    assert rows(app, "survey_invite")[0].status == "opted_out"
    with app.app_context():
        assert session().exec(select(SmsRecipient).where(SmsRecipient.phone == VICTIM)).one().opted_out
    later = api.post("/engagements", {**ENGAGEMENT, "officer_id": "MP2"})
    assert later.json["invitation"] == "suppressed"


def test_delivery_status_callbacks_update_the_row(app, client, clock, engage, deliver, fake_twilio):
    engage()
    clock.advance(minutes=61)
    deliver()
    [sent] = fake_twilio.messages_to(VICTIM)
    assert sent.params["StatusCallback"] == [f"{PUBLIC_BASE_URL}/sms/status"]
    for status in ("sent", "delivered", "sent"):  # the late "sent" must not undo "delivered"
        response = post_signed(client, PUBLIC_BASE_URL, "/sms/status",
                               fake_twilio.deliver_status(sent["sid"], status), AUTH_TOKEN)
        assert response.status_code == 204
    assert rows(app, "survey_invite")[0].status == "delivered"
    unsigned = client.post("/sms/status", data={"MessageSid": sent["sid"], "MessageStatus": "failed"})
    assert unsigned.status_code == 403


def test_case_update_minimal_is_texted_once(app, api, clock, case, deliver, fake_twilio):
    case_id = case(update_detail="minimal")
    fake_twilio.fail_next(1, status=503, on="Messages")
    response = api.post(f"/cases/{case_id}/updates", {"message": "A suspect has been charged."})
    assert response.status_code == 201
    deliver()
    assert bodies(fake_twilio) == [
        "Message from the desk you contacted: there is news for you. Call 020 7946 0000 or reply CALL for a "
        "call back. In an emergency call 999."]
    [row] = rows(app, "case_update")
    assert row.dedupe_key == str(response.json["id"]) and row.status == "sent"


def test_case_update_full_detail(app, api, clock, case, deliver, fake_twilio):
    case_id = case(update_detail="full", full_detail_by_text=True)
    api.post(f"/cases/{case_id}/updates", {"message": "The suspect was charged today."})
    deliver()
    assert bodies(fake_twilio) == [
        "Message from the desk you contacted: ref 5201234/26: The suspect was charged today. "
        "Call 020 7946 0000 or reply CALL for a call back. In an emergency call 999."]


def test_case_update_is_not_texted_when_sms_is_unsafe_or_opted_out(app, api, clock, case, deliver,
                                                                   fake_twilio, texter):
    unsafe = case(update_detail="full", sms_allowed=False)
    api.post(f"/cases/{unsafe}/updates", {"message": "Charged."})
    other = case(phone="07911 123457", reference="5209999/26", update_detail="full")
    texter(OTHER).send("STOP")
    api.post(f"/cases/{other}/updates", {"message": "Charged."})
    deliver()
    assert fake_twilio.messages == []
    assert [r.status for r in rows(app, "case_update")] == ["suppressed"], "no row at all for the unsafe case"


def test_case_update_is_not_texted_when_the_case_system_did_not_say_sms_allowed(app, api, clock, deliver,
                                                                                 fake_twilio):
    body = {"crime_reference": "5201234/26", "victim_phone": "07911 123456", "contact": {"update_detail": "full"}}
    created = api.post("/cases", body)
    assert created.status_code == 201
    assert api.get(f"/cases/{created.json['id']}").json["contact"]["sms_allowed"] is False  # opt-in
    api.post(f"/cases/{created.json['id']}/updates", {"message": "Charged."})
    deliver()
    assert fake_twilio.messages == [] and rows(app, "case_update") == []


def test_an_existing_case_keeps_sms_allowed_when_the_case_system_omits_it(api):
    body = {"crime_reference": "5201234/26", "victim_phone": "07911 123456"}
    case_id = api.post("/cases", {**body, "contact": {"sms_allowed": True}}).json["id"]
    assert api.post("/cases", {**body, "status": "charged"}).status_code == 200
    assert api.get(f"/cases/{case_id}").json["contact"]["sms_allowed"] is True


def test_case_update_at_night_waits_for_the_morning(app, api, case, deliver, fake_twilio):
    clock = FixedClock(datetime(2026, 11, 23, 22, 30, tzinfo=LONDON))
    app.config["CLOCK"] = clock
    case_id = case(update_detail="minimal")
    api.post(f"/cases/{case_id}/updates", {"message": "Charged."})
    deliver()
    assert fake_twilio.messages == []
    [row] = rows(app, "case_update")
    assert row.not_before == datetime(2026, 11, 24, 8, 0, tzinfo=LONDON)
    clock.advance(hours=9, minutes=31)
    deliver()
    assert len(bodies(fake_twilio)) == 1
