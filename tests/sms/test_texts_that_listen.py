"""Texts that listen: nothing a victim writes is lost (the desk inbox), opt-outs in their
own words, ratings with reasons, and the right survey for each rating.  Every text goes
through the emulator's Texter, signed as Twilio signs it."""
from __future__ import annotations

from sqlmodel import select

from flows.sms_texts import render
from models.db import session
from models.inbox import InboxMessage
from models.outbox import SmsRecipient
from models.surveys import Survey
from services import inbox
from tests.support.numbers import OTHER, VICTIM

DESK = "020 7946 0000"
HOURS = "Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00"
ACK = f"Thank you, we have passed your message to the desk, who read texts {HOURS}. If you are in danger call 999."
URGENT = ("If you are in danger now call 999. Free 24-hour support: 0808 168 9111 or 0808 2000 247. "
          f"We read texts {HOURS}.")
LONG = ("I reported it three weeks ago. " * 60) + "nobody has called me since and I am scared he will come back"


def text(text_id, **params):
    return render(text_id, desk_number=DESK, **params)


def filed(app) -> list[InboxMessage]:
    with app.app_context():
        rows = session().exec(select(InboxMessage).order_by(InboxMessage.id)).all()
        for row in rows:
            session().expunge(row)
        return rows


def survey_row(app, survey_id):
    with app.app_context():
        return session().get(Survey, survey_id)


def invited(engage, clock, deliver, fake_twilio, **changes):
    created = engage(**changes)
    clock.advance(minutes=61)
    deliver()
    assert fake_twilio.messages_to(VICTIM), "the invitation was not sent"
    return created


# --- 2. the desk inbox ---------------------------------------------------------------

def test_a_long_frightened_message_reaches_the_desk_urgent_with_999_and_the_helplines(app, case, clock, texter):
    case_id = case()
    assert texter().send(LONG) == [URGENT]
    [row] = filed(app)
    assert (row.phone, row.body, row.urgent, row.case_ids, row.status) == (VICTIM, LONG, True, [case_id], "new")
    with app.app_context():
        assert inbox.urgent_unread_count(session()) == 1


def test_free_text_is_kept_and_acknowledged_once_per_conversation(app, case, clock, texter):
    case()
    phone = texter()
    assert phone.send("Can someone tell me when the court date is?") == [ACK]
    assert phone.send("It is about the burglary last month") == [], "one acknowledgement per conversation"
    rows = filed(app)
    assert [(r.body, r.urgent, r.acknowledged) for r in rows] == [
        ("Can someone tell me when the court date is?", False, True),
        ("It is about the burglary last month", False, False)]
    with app.app_context():
        inbox.mark_done(session(), session().get(InboxMessage, rows[0].id), None, clock())
        inbox.mark_done(session(), session().get(InboxMessage, rows[1].id), None, clock())
        session().commit()
    assert phone.send("One more question") == [ACK], "a new conversation once the desk has finished"


def test_distress_in_english_and_polish_is_urgent_but_an_exact_help_is_the_keyword(app, clock, texter):
    help_reply = texter().send("HELP")
    assert "999" in help_reply[0] and "0808 168 9111" in help_reply[0] and "0808 2000 247" in help_reply[0]
    assert filed(app) == [], "HELP is Twilio's keyword, not a message for the desk"
    # Polish as it is said: "w niebezpieczeństwie", "zagrożona", "bije mnie" (inflected forms)
    frightened = ("help me", "I need help", "he is here", "I am scared", "pomocy, on tu jest", "boję się",
                  "jestem w niebezpieczeństwie", "czuję się zagrożona", "on mnie bije", "he keeps hitting me")
    for body in frightened:
        assert texter(OTHER).send(body) == [URGENT], body
    assert [(r.body, r.urgent) for r in filed(app)] == [(b, True) for b in frightened]


def test_a_number_whose_case_says_texting_is_unsafe_gets_no_reply_but_the_desk_sees_the_text(app, case, clock,
                                                                                             texter):
    case(sms_allowed=False)
    assert texter().send("he took my phone, I am scared") == []
    assert texter().send("START") == [], "no claim that texts will resume"
    [row] = filed(app)
    assert (row.urgent, row.acknowledged) == (True, False)


def test_a_text_after_the_survey_finished_goes_to_the_inbox_and_courtesies_get_nothing(app, clock, engage, deliver,
                                                                                     fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    phone.send("5")
    assert phone.send("no thanks") == [text("survey_forum_ask", rating=5)]
    for courtesy in ("ok", "Thanks!", "\U0001f44d"):
        assert phone.send(courtesy) == [], courtesy
    assert filed(app) == []
    assert phone.send("Actually, can I get a copy of my statement?") == [ACK]
    [row] = filed(app)
    assert (row.reason, row.survey_id) == ("after_survey", created["survey_id"])


# --- 3. opt-out in the victim's own words --------------------------------------------

def test_opt_out_in_their_own_words(app, clock, engage, deliver, fake_twilio, texter):
    for body in ("please stop", "Stop texting me", "stop please", "no more texts", "nie pisz"):
        phone = texter(OTHER)
        assert phone.send(body) == [text("opted_out")], body
        with app.app_context():
            row = session().exec(select(SmsRecipient).where(SmsRecipient.phone == OTHER)).one()
            assert row.opted_out, body
            row.opted_out = False
            session().add(row)
            session().commit()
    assert texter(OTHER).send("cancel my callback") == [ACK]
    with app.app_context():
        assert not session().exec(select(SmsRecipient).where(SmsRecipient.phone == OTHER)).one().opted_out


def test_a_longer_message_mentioning_stop_is_told_how_rather_than_asked_for_a_rating(app, clock, engage, deliver,
                                                                                   fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    body = "I want these messages to stop because he reads my phone every night"
    assert texter().send(body) == [text("stop_hint")]
    assert survey_row(app, created["survey_id"]).reprompted is False
    assert [r.body for r in filed(app)] == [body]


def test_yes_to_the_comment_question_is_a_comment_not_an_opt_in(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    phone.send("4")
    assert phone.send("Yes") == [text("survey_forum_ask", rating=4)]
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.comment, row.forum_answered) == (4, "Yes", False), "a comment, not the forum's answer"


# --- 4. a rating with a reason -------------------------------------------------------

def test_a_rating_with_its_reason_counts_once(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    assert texter().send("3 but he was slow to arrive") == [text("survey_forum_ask", rating=3)]
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.comment, row.status) == (3, "but he was slow to arrive", "completed")


def test_the_second_unclear_reply_goes_to_the_desk_inbox(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    phone = texter()
    assert phone.send("1 or 2") == [text("survey_reprompt")]
    assert phone.send("somewhere between, the first officer was fine") == [text("survey_gave_up")]
    assert [(r.body, r.reason, r.survey_id) for r in filed(app)] == [
        ("somewhere between, the first officer was fine", "survey_unclear", created["survey_id"])]


# --- 5. the right survey gets the rating ---------------------------------------------

def test_with_two_open_surveys_each_rating_goes_to_the_survey_asked_in_turn(app, clock, engage, deliver,
                                                                            fake_twilio, texter, monkeypatch):
    # a second invitation is now skipped while one is open (services/surveys.asked_recently);
    # surveys opened before that rule, or by an operator, can still overlap
    monkeypatch.setattr("services.surveys.asked_recently", lambda *args, **kwargs: None)
    smith = engage(officer_id="MP1", officer_name="PC Smith", occurred_at="2026-11-23T09:00:00+00:00")
    jones = engage(officer_id="MP2", officer_name="DC Jones", occurred_at="2026-11-23T09:10:00+00:00")
    clock.advance(minutes=61)
    deliver()
    assert len(fake_twilio.messages_to(VICTIM)) == 2
    phone = texter()
    assert phone.send("5") == [text("survey_comment_prompt_for", rating=5, officer="PC Smith", date="Mon 23 Nov")]
    assert phone.send("1") == [text("survey_comment_prompt", rating=1)]
    first, second = survey_row(app, smith["survey_id"]), survey_row(app, jones["survey_id"])
    assert (first.rating, first.status) == (5, "completed"), "the earlier survey is not left open"
    assert (second.rating, second.status) == (1, "awaiting_comment")


def test_a_long_message_while_a_rating_is_awaited_reaches_the_desk_and_the_survey_still_waits(
        app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    body = "Nobody has called me since the officer came and I still do not know what happens next"
    assert texter().send(body) == [ACK]
    assert [(r.body, r.urgent) for r in filed(app)] == [(body, False)]
    row = survey_row(app, created["survey_id"])
    assert (row.status, row.reprompted) == ("awaiting_rating", False)
    assert texter().send("4") == [text("survey_comment_prompt", rating=4)]


def test_thanks_for_your_help_is_not_distress(app, clock, engage, deliver, fake_twilio, texter):
    created = invited(engage, clock, deliver, fake_twilio)
    assert texter().send("5 thanks for all your help") == [text("survey_forum_ask", rating=5)]
    assert survey_row(app, created["survey_id"]).comment == "thanks for all your help"
    assert filed(app) == []
