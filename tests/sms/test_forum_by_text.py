"""The Victim Voice Forum question by text (issue 19): asked once per victim at the end
of the text survey, a YES is a timestamped consent by "sms" (not Twilio's opt-in
word), NO or silence stores nothing, FORUM STOP withdraws it without stopping the
other texts, and a number a case says is unsafe to text is never asked."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import select

from desk import settings
from flows import sms_conversation as conv
from flows.sms_texts import render
from models.db import session
from models.forum import ForumConsent
from models.outbox import SmsRecipient
from models.surveys import InboundMessage, Survey
from tests.support.numbers import VICTIM

DESK = "020 7946 0000"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def text(text_id, language="en", **params):
    return render(text_id, language=language, desk_number=DESK, **params)


def consents(app) -> list[ForumConsent]:
    with app.app_context():
        rows = session().exec(select(ForumConsent).order_by(ForumConsent.id)).all()
        for row in rows:
            session().expunge(row)
        return rows


def survey_row(app, survey_id) -> Survey:
    with app.app_context():
        row = session().get(Survey, survey_id)
        session().expunge(row)
        return row


def invited(engage, clock, deliver, **changes):
    created = engage(**changes)
    clock.advance(minutes=61)
    deliver()
    return created


# --- the pure state step ----------------------------------------------------------------

def test_the_state_step_asks_after_the_comment_step_only_when_it_may():
    waiting = conv.SurveyState(status=conv.AWAITING_COMMENT, rating=4)
    assert conv.resume(waiting, "no thanks", NOW).reply() == conv.Reply("survey_thanks_no_comment", {"rating": 4})
    asked = conv.resume(conv.SurveyState(status=conv.AWAITING_COMMENT, rating=4, forum_askable=True), "kind", NOW)
    assert asked.state.forum_asked and asked.state.status == conv.COMPLETED
    assert asked.events == (conv.CommentRecorded("kind"), conv.ForumAsked(),
                            conv.Reply("survey_forum_ask", {"rating": 4}))
    # a rating with its reason ends the comment step too
    reason = conv.resume(conv.SurveyState(forum_askable=True), "5 - she was kind", NOW)
    assert conv.ForumAsked() in reason.events
    for said, wants in (("Yes", True), ("yes please!", True), ("TAK", True), ("no", False), ("Nie, dziekuje", False)):
        step = conv.resume(asked.state, said, NOW)
        assert step.events[0] == conv.ForumAnswered(wants), said
        assert step.state.forum_answered
    # anything else is what it always was: a second rating is explained, a message is not an answer
    assert conv.resume(asked.state, "3", NOW).events[0] == conv.SecondRatingRefused(kept=4, refused=3)
    assert conv.resume(asked.state, "when is the court date", NOW).events == (conv.Reply("help"),)
    # once answered, "yes" is not an answer again
    answered = conv.resume(asked.state, "yes", NOW).state
    assert conv.resume(answered, "yes", NOW).events == (conv.Reply("help"),)


# --- through the webhook ------------------------------------------------------------------

def test_yes_is_an_explicit_timestamped_consent_by_text_not_an_opt_in(app, clock, engage, deliver, texter):
    created = invited(engage, clock, deliver)
    phone = texter()
    assert phone.send("4") == [text("survey_comment_prompt", rating=4)]
    asked = phone.send("She was kind")
    assert asked == [text("survey_forum_ask", rating=4)]
    assert len(asked[0]) <= 160 and not any(w in asked[0].lower() for w in ("police", "crime", "victim"))
    assert consents(app) == [], "nothing until they answer"
    clock.advance(minutes=3)
    assert phone.send("YES") == [text("forum_yes")]
    [consent] = consents(app)
    assert (consent.survey_id, consent.channel, consent.phone, consent.email, consent.borough) == (
        created["survey_id"], "sms", VICTIM, None, "Lambeth")
    assert consent.consented_at == clock() and consent.withdrawn_at is None
    with app.app_context():
        actions = [m.action for m in session().exec(select(InboundMessage).order_by(InboundMessage.id))]
        assert actions[-1] == "survey:ForumAnswered" and "opt_in" not in actions
        assert session().exec(select(SmsRecipient).where(SmsRecipient.phone == VICTIM)).first() is None, \
            "YES here is an answer: no opt-in recorded"
    assert survey_row(app, created["survey_id"]).forum_answered


def test_no_or_silence_stores_nothing_and_the_victim_is_asked_only_once(app, clock, engage, deliver, texter):
    settings.override(app.config, SURVEY_NO_REPEAT_DAYS=0)
    first = invited(engage, clock, deliver)
    phone = texter()
    phone.send("5")
    assert phone.send("no") == [text("survey_forum_ask", rating=5)]
    assert phone.send("No") == [text("forum_no")]
    assert consents(app) == []
    assert survey_row(app, first["survey_id"]).forum_asked_at is not None
    # the next survey for the same victim does not ask again, whatever they said (or not)
    second = invited(engage, clock, deliver, officer_id="MP77", occurred_at="2026-11-23T10:30:00+00:00")
    phone.send("4")
    assert phone.send("no thanks") == [text("survey_thanks_no_comment", rating=4)]
    assert survey_row(app, second["survey_id"]).forum_asked_at is None
    assert phone.send("yes") != [text("forum_yes")] and consents(app) == []


def test_a_victim_who_answered_on_the_web_is_not_asked_by_text(app, client, clock, engage, deliver, texter):
    import re

    settings.override(app.config, SURVEY_NO_REPEAT_DAYS=0)
    web = engage()
    path = web["survey_link"].removeprefix("https://desk.example.org")

    def nonce(page):
        return re.search(r'name="nonce" value="([^"]+)"', page.get_data(as_text=True)).group(1)

    rated = client.post(path, data={"nonce": nonce(client.get(path)), "rating": "5"})
    client.post(path + "/forum", data={"nonce": nonce(rated), "forum": "no"})
    clock.advance(minutes=61)
    invited(engage, clock, deliver, officer_id="MP77", occurred_at="2026-11-23T10:30:00+00:00")
    phone = texter()
    phone.send("4")
    assert phone.send("no") == [text("survey_thanks_no_comment", rating=4)]


def test_forum_stop_withdraws_the_consent_and_no_other_texts(app, clock, engage, deliver, texter):
    invited(engage, clock, deliver)
    phone = texter()
    phone.send("5")
    phone.send("Very kind")
    phone.send("yes")
    clock.advance(days=2)
    assert phone.send("Forum stop") == [text("forum_withdrawn")]
    [consent] = consents(app)
    assert consent.withdrawn_at == clock() and consent.withdrawn_via == "sms" and consent.phone is None
    with app.app_context():
        recipient = session().exec(select(SmsRecipient).where(SmsRecipient.phone == VICTIM)).first()
        assert recipient is None or not recipient.opted_out, "FORUM STOP is not STOP"
    # the same neutral answer when there is nothing to withdraw
    assert phone.send("STOP FORUM") == [text("forum_withdrawn")]


def test_a_number_unsafe_to_text_is_never_asked(app, clock, case, engage, deliver, texter):
    # the case says texting is unsafe: the invitation is suppressed, but a reply may still
    # reach an open survey (an earlier invitation); it is never asked about the forum
    created = invited(engage, clock, deliver)
    case(sms_allowed=False)
    phone = texter()
    assert phone.send("5") == [] and phone.send("kind") == []
    row = survey_row(app, created["survey_id"])
    assert (row.rating, row.forum_asked_at) == (5, None)
    phone.send("yes")
    assert consents(app) == []


def test_the_question_and_answers_are_in_polish_for_a_polish_survey(app, clock, engage, deliver, texter):
    invited(engage, clock, deliver, language="pl")
    phone = texter()
    phone.send("4")
    assert phone.send("nie") == [text("survey_forum_ask", "pl", rating=4)]
    assert phone.send("Tak") == [text("forum_yes", "pl")]
    assert consents(app)[0].channel == "sms"


def test_words_of_danger_are_not_answered_with_the_forum_question(app, clock, engage, deliver, texter):
    created = invited(engage, clock, deliver)
    phone = texter()
    phone.send("4")
    reply = phone.send("he is here again and I am scared")
    assert reply and "999" in reply[0] and "group" not in reply[0]
    assert survey_row(app, created["survey_id"]).forum_asked_at is None, "not asked, so not spent"
