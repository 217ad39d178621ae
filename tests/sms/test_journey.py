"""Feedback at each point of the victim's journey: the stage's question (text, web,
email), one request per victim per no-repeat period whatever the stage or channel,
invitations whose status follows their message, and response rates over delivered
invitations only."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from desk import settings
from emulator.signing import post_signed
from models.db import session
from models.surveys import Engagement, Survey
from tests.support.numbers import OTHER, VICTIM
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL


def survey_path(link: str) -> str:
    return link.removeprefix(PUBLIC_BASE_URL)


def test_each_stage_asks_its_own_question_by_text(app, clock, engage, deliver, fake_twilio):
    engage(stage="report")
    clock.advance(minutes=61)
    deliver()
    [sent] = fake_twilio.messages_to(VICTIM)
    assert sent["body"].startswith("Message from the desk you contacted: how did we do when you first "
                                   "contacted us on Mon 23 Nov?")
    assert "crime" not in sent["body"], "a text shows on a lock screen"
    assert "Reply 1 (very poor) to 5 (excellent)" in sent["body"]


def test_polish_wording_is_polite(app, clock, engage, deliver, fake_twilio):
    engage(stage="court_outcome", language="pl")
    clock.advance(minutes=61)
    deliver()
    [sent] = fake_twilio.messages_to(VICTIM)
    assert "prosimy ocenic informacje o wyniku od PC 4521 Lambeth (pon. 23.11): prosze odpisac" in sent["body"]
    assert "sad" not in sent["body"].lower(), "no court on a lock screen"


def test_a_visit_keeps_todays_invitation(app, clock, engage, deliver, fake_twilio):
    created = engage()
    assert created["stage"] == "visit"
    clock.advance(minutes=61)
    deliver()
    [sent] = fake_twilio.messages_to(VICTIM)
    assert "how did PC 4521 Lambeth do on Mon 23 Nov?" in sent["body"]


def test_the_web_survey_asks_the_stages_question(client, clock, engage):
    created = engage(stage="charge_decision")
    page = client.get(survey_path(created["survey_link"])).get_data(as_text=True)
    assert "How did we do when we told you about the charging decision?" in page
    assert "PC 4521" not in page and "23 Nov" not in page, "whoever holds the link sees the page"
    polish = engage(stage="case_closed", language="pl", victim_phone="07911 123457")
    page = client.get(survey_path(polish["survey_link"])).get_data(as_text=True)
    assert 'lang="pl"' in page and "informacji o zamknięciu sprawy" in page and "Bardzo dobrze" in page


def test_a_second_engagement_while_a_survey_is_open_is_skipped(app, api, clock, engage):
    first = engage(stage="visit")
    second = engage(stage="investigation_update", officer_id="MP9", officer_name="DC 77 Jones",
                    occurred_at="2026-11-23T09:40:00+00:00")
    assert first["invitation"] == "scheduled"
    assert (second["invitation"], second["reason"]) == ("skipped", "survey_open")
    assert "survey still open" in second["explanation"]
    listed = {s["id"]: s for s in api.get("/surveys").json["surveys"]}
    assert (listed[second["survey_id"]]["invitation"], listed[second["survey_id"]]["suppressed_reason"]) == (
        "skipped", "survey_open"), "the case system can see which engagement was skipped and why"


def test_no_repeat_period_whatever_the_stage_or_channel(app, clock, engage, client):
    first = engage()
    # rated on the web: the survey is no longer open, but the victim was asked
    page = client.get(survey_path(first["survey_link"])).get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    client.post(survey_path(first["survey_link"]), data={"nonce": nonce, "rating": "4"})
    clock.advance(days=10)
    by_email = engage(stage="charge_decision", officer_id="MP9", occurred_at="2026-12-03T09:00:00+00:00",
                      victim_email="someone@example.org", channel_preference="email")
    assert (by_email["invitation"], by_email["reason"]) == ("skipped", "asked_recently")
    clock.advance(days=5)  # 15 days after the first: asked again
    later = engage(stage="court_outcome", officer_id="MP10", occurred_at="2026-12-08T09:00:00+00:00")
    assert later["invitation"] == "scheduled"


def test_the_same_email_on_another_number_is_the_same_victim(app, clock, engage):
    engage(victim_email="someone@example.org", channel_preference="email")
    other = engage(victim_phone="07911 123457", victim_email="Someone@Example.org", officer_id="MP9")
    assert (other["invitation"], other["reason"]) == ("skipped", "survey_open")


def test_the_no_repeat_period_is_a_setting(app, clock, engage, client):
    settings.override(app.config, SURVEY_NO_REPEAT_DAYS=0, SURVEY_EXPIRY_DAYS=1)
    engage()
    clock.advance(days=2)  # the first survey has expired unanswered
    again = engage(officer_id="MP9", occurred_at="2026-11-25T09:00:00+00:00")
    assert again["invitation"] == "scheduled"


def test_a_victim_who_rated_on_the_web_is_not_texted(app, client, clock, engage, deliver, fake_twilio, outbox):
    created = engage()
    path = survey_path(created["survey_link"])  # the QR code the officer handed over
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
    assert client.post(path, data={"nonce": nonce, "rating": "5"}).status_code == 200
    clock.advance(minutes=61)
    deliver()
    assert fake_twilio.messages_to(VICTIM) == []
    assert [row[:2] for row in outbox()] == [("survey_invite", "suppressed")]


def test_the_invitation_status_follows_its_message(app, api, client, clock, engage, deliver, fake_twilio):
    delivered = engage()
    undelivered = engage(victim_phone=OTHER, officer_id="MP9")
    clock.advance(minutes=61)
    deliver()
    statuses = {s["id"]: s["invitation"] for s in api.get("/surveys").json["surveys"]}
    assert statuses == {delivered["survey_id"]: "sent", undelivered["survey_id"]: "sent"}
    for phone, status in ((VICTIM, "delivered"), (OTHER, "undelivered")):
        [sent] = fake_twilio.messages_to(phone)
        post_signed(client, PUBLIC_BASE_URL, "/sms/status", fake_twilio.deliver_status(sent["sid"], status), AUTH_TOKEN)
    statuses = {s["id"]: s["invitation"] for s in api.get("/surveys").json["surveys"]}
    assert statuses == {delivered["survey_id"]: "delivered", undelivered["survey_id"]: "undelivered"}


def test_delivery_reports_that_never_came_are_asked_of_twilio(app, api, clock, engage, deliver, fake_twilio,
                                                              reconcile_deliveries):
    """Twilio does not send a status callback again: reports lost while the database was
    away left the invitations "sent" for ever, never counted as reaching the victim.  An
    hour on, the periodic job asks Twilio and records what it says, as the callback would."""
    delivered = engage(stage="report")
    undelivered = engage(victim_phone=OTHER, officer_id="MP9", stage="report")
    clock.advance(minutes=61)
    deliver()
    for phone, status in ((VICTIM, "delivered"), (OTHER, "undelivered")):
        [sent] = fake_twilio.messages_to(phone)
        fake_twilio.deliver_status(sent["sid"], status, 30003 if status == "undelivered" else None)  # not posted
    assert reconcile_deliveries() == 0, "not before an hour has passed"
    clock.advance(minutes=61)
    assert reconcile_deliveries() == 2
    statuses = {s["id"]: s["invitation"] for s in api.get("/surveys").json["surveys"]}
    assert statuses == {delivered["survey_id"]: "delivered", undelivered["survey_id"]: "undelivered"}
    with app.app_context():
        reached = {s.id: s.reached_at for s in session().exec(select(Survey)).all()}
    assert reached[delivered["survey_id"]] is not None and reached[undelivered["survey_id"]] is None
    assert reconcile_deliveries() == 0, "nothing more to ask"
    assert fake_twilio.contract_violations == []


def test_response_rates_count_only_delivered_invitations(app, api, client, clock, engage, deliver, fake_twilio):
    delivered = engage(stage="report")
    engage(victim_phone=OTHER, officer_id="MP9", stage="report")  # sent, never delivered
    clock.advance(minutes=61)
    deliver()
    [sent] = fake_twilio.messages_to(VICTIM)
    post_signed(client, PUBLIC_BASE_URL, "/sms/status", fake_twilio.deliver_status(sent["sid"], "delivered"),
                AUTH_TOKEN)
    with app.app_context():
        db = session()
        for survey in db.exec(select(Survey)).all():  # both rated (one on the web, say)
            survey.rating, survey.status, survey.rated_at = 4, "completed", clock()
            db.add(survey)
        db.commit()
    summary = api.get("/ratings/summary").json
    assert summary["response_rate"] == {"delivered": 1, "answered": 1, "rate": 1.0}
    assert summary["response_rates"] == [{"stage": "report", "channel": "sms", "delivered": 1, "answered": 1,
                                          "rate": 1.0}]
    stages = {s["stage"]: s for s in summary["stages"]}
    assert stages["report"]["count"] == 2 and stages["visit"]["count"] == 0
    assert list(stages) == ["report", "visit", "investigation_update", "charge_decision", "court_outcome",
                            "case_closed"]
    page = api.get("/surveys?count=true").json
    assert page["response_rate"] == {"delivered": 1, "answered": 1, "rate": 1.0}
    assert delivered["survey_id"] in [s["id"] for s in page["surveys"] if s["invitation"] == "delivered"]


@pytest.mark.parametrize("stage", ["report", "visit", "investigation_update", "charge_decision", "court_outcome",
                                   "case_closed"])
def test_every_stage_is_accepted_and_stored(app, api, clock, stage):
    from tests.support.cases import ENGAGEMENT

    response = api.post("/engagements", {**ENGAGEMENT, "stage": stage})
    assert response.status_code == 201 and response.json["stage"] == stage
    with app.app_context():
        assert session().get(Engagement, response.json["id"]).stage == stage


def test_the_openapi_document_describes_stages_and_email(client):
    doc = client.get("/api/v1/openapi.json").json
    fields = doc["components"]["schemas"]["EngagementIn"]["properties"]
    assert fields["stage"]["enum"] == ["report", "visit", "investigation_update", "charge_decision",
                                       "court_outcome", "case_closed"]
    assert fields["channel_preference"]["enum"] == ["sms", "email"]
    assert {"victim_email", "email_safe", "language"} <= set(fields)
    summary = doc["paths"]["/ratings/summary"]["get"]["responses"]["200"]["description"]
    assert "response_rates" in summary and "delivered" in summary
    created = doc["paths"]["/engagements"]["post"]["responses"]
    assert "skipped" in created["201"]["description"] and "occurred_at" in created["422"]["description"]
