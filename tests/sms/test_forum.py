"""The Victim Voice Forum: consent after the rating (web, and so email's link), listed
for the forum role with every view audited, withdrawable by link; equality monitoring
on the web survey, kept apart from the survey and shown only in aggregates of ten."""
from __future__ import annotations

import csv
import io
import re

from sqlmodel import select

from desk import settings
from models.db import session
from models.forum import EqualityResponse, ForumConsent
from models.staff import AuditLog, StaffUser
from models.surveys import Survey
from tests.support.console import DEFAULT_PASSWORD, log_in
from tests.support.numbers import VICTIM
from tests.support.service import PUBLIC_BASE_URL


def path_of(link: str) -> str:
    return link.removeprefix(PUBLIC_BASE_URL)


def nonce_of(page) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def rate(client, created, rating="4"):
    path = path_of(created["survey_link"])
    return client.post(path, data={"nonce": nonce_of(client.get(path)), "rating": rating})


def staff(app, email, role):
    from services.staff_accounts import create_account

    with app.app_context():
        create_account(email, role, DEFAULT_PASSWORD)
    return email


def test_the_forum_question_comes_after_the_rating_and_a_yes_is_a_consent(app, client, clock, engage):
    created = engage()
    first = client.get(path_of(created["survey_link"])).get_data(as_text=True)
    assert "Victim Voice Forum" not in first, "asked only after the rating"
    rated = rate(client, created)
    assert 'id="forum-form"' in rated.get_data(as_text=True)
    answer = client.post(path_of(created["survey_link"]) + "/forum", data={"nonce": nonce_of(rated), "forum": "yes"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "organisers may contact you" in text
    withdraw = re.search(r'href="(https://desk.example.org/forum/withdraw/[^"]+)"', text).group(1)
    with app.app_context():
        consent = session().exec(select(ForumConsent)).one()
        assert (consent.channel, consent.phone, consent.borough) == ("sms", VICTIM, "Lambeth")
        assert consent.consented_at == clock() and consent.withdrawn_at is None
    # asked once
    again = client.post(path_of(created["survey_link"]) + "/forum", data={"nonce": nonce_of(answer), "forum": "yes"})
    assert "already have your answer" in again.get_data(as_text=True)
    # opening the link asks first (mail scanners and link previews open every link): nothing changes
    page = client.get(path_of(withdraw))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="withdraw-form"' in text and "will not contact you" not in text
    with app.app_context():
        assert session().exec(select(ForumConsent)).one().withdrawn_at is None
    # its button withdraws the consent and clears the contact
    done = client.post(path_of(withdraw))
    assert done.status_code == 200 and "will not contact you" in done.get_data(as_text=True)
    with app.app_context():
        consent = session().exec(select(ForumConsent)).one()
        assert consent.withdrawn_at is not None and consent.withdrawn_via == "link" and consent.phone is None
    assert client.get("/forum/withdraw/forged").status_code == 404
    assert client.post("/forum/withdraw/forged").status_code == 404


def test_a_no_is_not_stored_and_an_unrated_survey_cannot_answer(app, client, clock, engage):
    created = engage()
    path = path_of(created["survey_link"])
    unrated = client.post(path + "/forum", data={"nonce": nonce_of(client.get(path)), "forum": "yes"})
    assert unrated.status_code == 400
    rated = rate(client, created)
    client.post(path + "/forum", data={"nonce": nonce_of(rated), "forum": "no"})
    with app.app_context():
        assert session().exec(select(ForumConsent)).all() == []
        assert session().get(Survey, created["survey_id"]).forum_answered


def test_an_emailed_survey_consents_by_email(app, client, clock, engage):
    created = engage(victim_email="someone@example.org", channel_preference="email")
    rated = rate(client, created)
    client.post(path_of(created["survey_link"]) + "/forum", data={"nonce": nonce_of(rated), "forum": "yes"})
    with app.app_context():
        consent = session().exec(select(ForumConsent)).one()
        assert (consent.channel, consent.email, consent.phone) == ("email", "someone@example.org", None)


def test_organisers_see_the_list_and_every_view_is_audited(app, client, clock, engage):
    created = engage()
    rated = rate(client, created)
    client.post(path_of(created["survey_link"]) + "/forum", data={"nonce": nonce_of(rated), "forum": "yes"})
    supervisor = staff(app, "sup@desk.example.org", "supervisor")
    log_in(client, supervisor)
    assert client.get("/console/forum/").status_code == 403, "only the forum role"
    client.post("/console/logout")
    organiser = staff(app, "forum@desk.example.org", "forum")
    organisers = app.test_client()
    log_in(organisers, organiser)
    page = organisers.get("/console/forum/")
    assert page.status_code == 200 and VICTIM in page.get_data(as_text=True)
    export = organisers.get("/console/forum/consents.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[1][1:5] == ["sms", VICTIM, "", "Lambeth"] and "/forum/withdraw/" in rows[1][5]
    assert organisers.get("/console/supervisor/ratings").status_code == 403, "nothing else"
    with app.app_context():
        actions = [a.action for a in session().exec(select(AuditLog)).all()]
        assert actions.count("view_forum_consents") == 1 and actions.count("export_forum_consents") == 1
        assert session().exec(select(StaffUser).where(StaffUser.role == "forum")).one()


def test_equality_answers_are_kept_apart_and_shown_only_in_groups_of_ten(app, client, clock, engage):
    settings.override(app.config, SURVEY_NO_REPEAT_DAYS=0)
    answers = [("25_34", "white_british")] * 10 + [("25_34", "black_caribbean")] * 3 + \
              [("35_44", "asian_indian")] * 12 + [("35_44", "prefer_not_to_say")]
    for n, (age, ethnicity) in enumerate(answers):
        created = engage(victim_phone=f"07911 {200000 + n}", officer_id=f"MP{n}")
        rated = rate(client, created, rating="5" if ethnicity != "black_caribbean" else "1")
        if n == 0:
            assert 'id="equality-form"' in rated.get_data(as_text=True)
            assert rated.get_data(as_text=True).count("Prefer not to say") >= 2, "offered for every question"
        answer = client.post(path_of(created["survey_link"]) + "/about-you",
                             data={"nonce": nonce_of(rated), "age_band": age, "ethnicity": ethnicity})
        assert answer.status_code == 200
        if n == 0:  # a second answer for the same survey is not counted
            client.post(path_of(created["survey_link"]) + "/about-you",
                        data={"nonce": nonce_of(answer), "age_band": age, "ethnicity": ethnicity})
    with app.app_context():
        cells = session().exec(select(EqualityResponse)).all()
        assert sum(c.count for c in cells) == len(answers)
        assert not any(hasattr(c, name) for c in cells for name in ("survey_id", "engagement_id", "officer_id"))
    supervisor = staff(app, "sup@desk.example.org", "supervisor")
    log_in(client, supervisor)
    html = client.get("/console/forum/equality").get_data(as_text=True)
    table = re.search(r'id="ethnicity-table">(.*?)</table>', html, re.DOTALL).group(1)
    assert re.search(r"Indian</th>\s*<td class=\"num\">12</td><td class=\"num\">5.00", table)
    assert re.search(r"Northern Irish or British</th>\s*<td class=\"num\">10</td>", table)
    assert re.search(r"Caribbean</th>\s*<td colspan=\"2\">fewer than 10: withheld", table), "3 answers: withheld"
    assert "1.00" not in table, "the small group's low rating is not shown"
    # the one-answer "prefer not to say" cell is withheld too
    assert re.search(r"Prefer not to say</th>\s*<td colspan=\"2\">fewer than 10", table)


def test_retention_deletes_old_consents(app, client, clock, engage):
    from services.retention import anonymise_old_records

    created = engage()
    rated = rate(client, created)
    client.post(path_of(created["survey_link"]) + "/forum", data={"nonce": nonce_of(rated), "forum": "yes"})
    clock.advance(days=366)
    with app.app_context():
        assert anonymise_old_records()["forum_consents_deleted"] == 1
        assert session().exec(select(ForumConsent)).all() == []
