"""Golden SMS conversations: a victim's phone texting the desk through the emulator's
Texter (every webhook signed as Twilio signs it), with invitations sent by real RQ
workers to the fake Twilio REST API."""
from __future__ import annotations

from sqlmodel import select

from flows.sms_texts import render
from models.db import session
from models.outbox import SmsRecipient
from models.surveys import InboundMessage, Survey
from tests.support.numbers import OTHER, VICTIM

DESK = "020 7946 0000"
HELP = ("Call 020 7946 0000, Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00. Reply CALL for a call back, "
        "UPDATE for news, STOP to opt out. In an emergency call 999. "
        "Free 24-hour support: 0808 168 9111 or 0808 2000 247.")
ACK = ("Thank you, we have passed your message to the desk, who read texts Mon-Fri 08:00-20:00, "
       "Sat-Sun 08:00-16:00. If you are in danger call 999.")


def text(text_id, **params):
    return render(text_id, desk_number=DESK, **params)


def survey_row(app, survey_id):
    with app.app_context():
        return session().get(Survey, survey_id)


def invited(engage, clock, deliver, fake_twilio, phone=VICTIM, **changes):
    """An engagement now, and its invitation texted an hour later."""
    created = engage(**changes)
    clock.advance(minutes=61)
    deliver()
    assert fake_twilio.messages_to(phone), "the invitation was not sent"
    return created


def test_invite_five_comment_thanks(app, api, clock, engage, deliver, fake_twilio, texter):
    created = engage()
    deliver()
    assert fake_twilio.messages_to(VICTIM) == [], "nothing is texted before the delay"
    clock.advance(minutes=61)
    deliver()
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == [
        "Message from the desk you contacted: how did PC 4521 Lambeth do on Mon 23 Nov? Reply 1 (very poor) "
        f"to 5 (excellent) or use {created['survey_link']} Reply STOP to opt out."]

    phone = texter()
    assert phone.send("five") == [
        "Thank you, we have recorded your rating of 5. If you would like to tell us why, "
        "reply with a short comment. You do not need to reply."]
    # the end of the first survey asks, once, about the forum (issue 19)
    assert phone.send("She listened and called back when she said she would") == [
        "Thank you, we have your rating of 5. Would you like to hear about a group where people share their "
        "experience to help us improve? Reply YES or NO."]
    assert phone.send("Yes") == [
        "Thank you. The group's organisers may contact you. To change your mind, reply FORUM STOP. "
        "In an emergency call 999."]

    listed = api.get("/surveys").json["surveys"]
    assert [(s["id"], s["rating"], s["rated_via"], s["status"], s["comment"]) for s in listed] == [
        (created["survey_id"], 5, "sms", "completed",
         "She listened and called back when she said she would")]


def test_unclear_reply_gets_one_reprompt_then_the_rating(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    assert phone.send("it was ok i suppose") == [text("survey_reprompt")]
    assert phone.send("4/5") == [text("survey_comment_prompt", rating=4)]
    assert phone.send("no thanks") == [text("survey_forum_ask", rating=4)]
    assert phone.send("no thanks") == [text("forum_no")]
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.comment, row.status, row.forum_answered) == (4, None, "completed", True)


def test_out_of_range_is_not_a_rating_and_asking_stops_after_one_reprompt(app, clock, engage, deliver,
                                                                             fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    assert phone.send("10/10") == [text("survey_reprompt")]
    assert phone.send("45") == [text("survey_gave_up")]
    assert survey_row(app, created["survey_id"]).rating is None
    # we stopped asking: the next text goes to the desk inbox, which already said so
    assert phone.send("6") == []
    assert survey_row(app, created["survey_id"]).status == "unanswered"


def test_a_reply_after_the_survey_expired_gets_a_polite_note(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    clock.advance(days=7, minutes=1)
    phone = texter()
    assert phone.send("5") == [
        "Sorry, this survey has closed, so we cannot record your answer. Thank you anyway. "
        "To contact us call 020 7946 0000. In an emergency call 999."]
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.status) == (None, "expired")
    assert phone.send("5") == [ACK]


def test_a_second_rating_keeps_the_first_and_says_so(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    phone.send("4")
    assert phone.send("2") == [
        "You already rated this contact 4, so we kept your first answer and did not record 2. "
        "To talk to us call 020 7946 0000."]
    assert phone.send("Great officer") == [text("survey_forum_ask", rating=4)]
    assert phone.send("I'd give it a 5") == [text("survey_already_rated", first=4, attempted=5)]
    assert phone.send("4 stars") == ["You already rated this contact 4. Thank you, nothing has changed."]
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.comment) == (4, "Great officer")


def test_with_a_survey_open_a_second_engagement_is_not_texted_and_the_rating_goes_to_the_first(
        app, clock, engage, deliver, fake_twilio, texter):
    # issue 15 item 5: two invitations in one burst made "5" go to the newest survey and
    # left the other open for ever; now one survey conversation per number
    older = engage(officer_id="MP1", officer_name="PC Old", occurred_at="2026-11-20T10:00:00+00:00")
    clock.advance(minutes=30)
    newer = engage(officer_id="MP2", officer_name="PC New", occurred_at="2026-11-23T10:15:00+00:00")
    assert (newer["invitation"], newer["reason"]) == ("skipped", "survey_open")
    clock.advance(minutes=61)
    deliver()
    [asked] = fake_twilio.messages_to(VICTIM)
    assert "PC Old" in asked["body"]
    texter().send("3")
    assert survey_row(app, older["survey_id"]).rating == 3
    assert survey_row(app, newer["survey_id"]).rating is None


def test_a_reply_before_the_invitation_went_out_is_not_a_rating(app, clock, engage, texter):
    created = engage()
    assert texter().send("5") == [ACK]
    assert survey_row(app, created["survey_id"]).rating is None


def test_stop_records_the_opt_out_and_nothing_more_is_sent(app, api, clock, engage, deliver, fake_twilio,
                                                           texter, outbox):
    invited(engage, clock, deliver, fake_twilio)
    assert texter().send("Stop") == [], "Twilio confirms opt-outs itself"
    with app.app_context():
        assert session().exec(select(SmsRecipient).where(SmsRecipient.phone == VICTIM)).one().opted_out
    later = api.post("/engagements", {
        "officer_id": "MP9", "officer_name": "PC Later", "borough": "Lambeth",
        "victim_phone": VICTIM, "occurred_at": "2026-11-23T11:00:00+00:00"})
    assert later.status_code == 201 and later.json["invitation"] == "suppressed"
    assert later.json["reason"] == "opted_out"
    clock.advance(hours=2)
    deliver()
    assert len(fake_twilio.messages_to(VICTIM)) == 1, "only the invitation sent before STOP"
    assert [row[0] for row in outbox()] == ["survey_invite"]


def test_start_opts_back_in(app, api, clock, engage, deliver, fake_twilio, texter):
    phone = texter()
    assert phone.send("UNSUBSCRIBE") == []
    assert phone.send("start") == [
        "You will get texts from us again. Reply STOP to opt out. In an emergency call 999."]
    created = engage()
    assert created["invitation"] == "scheduled"
    clock.advance(minutes=61)
    deliver()
    assert len(fake_twilio.messages_to(VICTIM)) == 1


def test_help_and_unknown_numbers_get_the_help_text(texter, clock):
    assert texter().send("help!") == [HELP]
    assert texter(OTHER).send("INFO") == [HELP]
    assert texter(OTHER).send("hello, who is this?") == [ACK]


def test_a_keyword_inside_a_sentence_is_not_a_keyword(app, texter, clock):
    assert texter().send("please don't stop the investigation") == [ACK]
    with app.app_context():
        assert session().exec(select(SmsRecipient)).all() == []


def test_update_only_to_the_number_registered_on_the_case(api, case, texter, clock):
    case_id = case(update_detail="full", full_detail_by_text=True)
    assert api.post(f"/cases/{case_id}/updates", {"message": "A suspect has been charged."}).status_code == 201
    assert texter().send("update") == [
        "Message from the desk you contacted: ref 5201234/26: A suspect has been charged. "
        "Call 020 7946 0000 or reply CALL for a call back. In an emergency call 999."]
    assert texter(OTHER).send("UPDATE") == [
        "We cannot send an update by text to this number. To talk to us call 020 7946 0000. "
        "In an emergency call 999."]


def test_update_respects_minimal_detail_and_unsafe_sms(api, case, texter, clock):
    case_id = case(update_detail="minimal")
    api.post(f"/cases/{case_id}/updates", {"message": "A suspect has been charged."})
    reply = texter().send("UPDATE")
    assert reply == [text("case_update_minimal")]
    assert "charged" not in reply[0]
    case(phone="07911 123457", reference="5209999/26", update_detail="full", sms_allowed=False)
    assert texter(OTHER).send("UPDATE") == [], "texting is unsafe: no reply at all"


def test_update_with_no_updates_yet(case, texter, clock):
    case()
    assert texter().send("Update.") == [text("update_unavailable")]


def callbacks(app):
    from models.callbacks import CallbackRequest

    with app.app_context():
        return session().exec(select(CallbackRequest).order_by(CallbackRequest.id)).all()


def test_call_books_a_call_back_within_the_case_safe_times(app, case, texter, clock):
    case_id = case(safe_call_times=["09:00-12:00"], voicemail_allowed=False)
    phone = texter()
    assert phone.send("CALL") == [
        "Thank you. We will call you back as soon as someone is free, only at times you told us are safe. "
        "In an emergency call 999."]
    [booked] = callbacks(app)
    assert (booked.phone, booked.verified_case_id, booked.status, booked.safe_to_call, booked.voicemail_allowed,
            booked.call_sid) == (VICTIM, case_id, "pending", True, False, phone.sent[-1].sid)
    assert phone.resend() == [text("callback_booked_now")]
    phone.send("call")  # asked twice: still one call-back
    assert len(callbacks(app)) == 1


def test_call_outside_the_safe_times_says_when(app, case, texter, clock):
    case(safe_call_times=["18:00-20:00"])
    assert texter().send("Call") == [
        "Thank you. We will call you back, only at times you told us are safe. "
        "The earliest is today at 18:00. In an emergency call 999."]
    assert len(callbacks(app)) == 1


def test_call_is_refused_where_calling_was_never_said_to_be_safe(app, case, texter, clock):
    case(safe_call_times=[])  # texting is safe here; calling was never said to be
    assert texter().send("CALL") == [text("callback_unavailable")]
    assert texter(OTHER).send("call") == [text("callback_unavailable")], "unknown number"
    assert callbacks(app) == []


def test_a_repeated_webhook_gets_the_same_reply_and_rates_once(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    first = phone.send("5")
    assert phone.resend() == first
    assert phone.send("2") == [text("survey_already_rated", first=5, attempted=2)]
    with app.app_context():
        assert len(session().exec(select(InboundMessage)).all()) == 2
    row = survey_row(app, created["survey_id"])
    assert row.rating == 5 and row.comment is None, "the resent '5' was not taken as a comment"


def test_a_retry_with_the_same_idempotency_token_is_a_duplicate(app, client, clock, engage, deliver,
                                                                 fake_twilio):
    from emulator.signing import IDEMPOTENCY_HEADER, signature_headers
    from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

    invited(engage, clock, deliver, fake_twilio)

    def deliver_inbound(sid, body, token):
        params = {"MessageSid": sid, "From": VICTIM, "To": DESK_NUMBER, "Body": body, "NumMedia": "0"}
        headers = {IDEMPOTENCY_HEADER: token,
                   **signature_headers(PUBLIC_BASE_URL + "/sms/inbound", params, AUTH_TOKEN)}
        response = client.post("/sms/inbound", data=params, headers=headers, base_url=PUBLIC_BASE_URL)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    first = deliver_inbound("SM" + "1" * 32, "3", "token-1")
    assert "recorded your rating of 3" in first
    assert deliver_inbound("SM" + "2" * 32, "3", "token-1") == first
    with app.app_context():
        assert [m.action for m in session().exec(select(InboundMessage)).all()] == ["survey:RatingRecorded"]


def test_a_repeated_stop_has_no_second_effect_and_bodies_are_not_kept(app, texter, clock):
    phone = texter()
    phone.send("STOP")
    assert phone.resend() == []
    with app.app_context():
        rows = session().exec(select(InboundMessage)).all()
        assert [(r.action, r.reply) for r in rows] == [("opt_out", None)]


def test_unsigned_inbound_is_refused(client, clock):
    response = client.post("/sms/inbound", data={"From": VICTIM, "Body": "5", "MessageSid": "SM" + "0" * 32})
    assert response.status_code == 403


def test_call_again_keeps_the_one_call_back_and_says_so(app, case, texter, clock):
    case(safe_call_times=["09:00-12:00"], voicemail_allowed=False)
    phone = texter()
    phone.send("CALL")
    [first] = callbacks(app)
    clock.advance(minutes=5)
    assert phone.send("CALL") == [
        "You already have a call back booked. We will call as soon as someone is free, only at times you "
        "told us are safe. In an emergency call 999."]
    [booked] = callbacks(app)
    assert (booked.id, booked.queue_joined_at, booked.status) == (first.id, first.queue_joined_at, "pending")
