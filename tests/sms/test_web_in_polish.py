"""The web survey in Polish (issue 19): a Polish survey's pages are Polish from the
header to the thank-you page, polite (Państwo, never the informal "ty"), and the
comment box is optional on every page."""
from __future__ import annotations

import html
import re

from tests.sms.test_web import nonce, path_of

# What an English page says that a Polish one must not
ENGLISH = ("How did we do", "Choose a rating", "Anything you want", "Very poor", "Excellent", "Leave this page",
           "In an emergency", "Your answer helps", "Thank you", "Send comment", "Prefer not to say", "Your age",
           "ethnic group", "Would you like", "optional", "Monday", "We have recorded", "Yes, tell me",
           "No, thank you", "About you", "Your rights")
# Informal second-person forms (ty, twój, możesz, imperatives) a polite page never uses
INFORMAL = re.compile(r"\b(ty|cię|ciebie|tobie|twój|twoja|twoje|twoim|twojej|możesz|chcesz|jesteś|wybierz|napisz|"
                      r"wyślij|kliknij|opuść|podaj|zadzwoń|powiedz)\b", re.I)


def visible(page) -> str:
    body = page.get_data(as_text=True)
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def assert_polish(page):
    text = visible(page)
    assert '<html lang="pl">' in page.get_data(as_text=True)
    for english in ENGLISH:
        assert english.lower() not in text.lower(), english
    assert not INFORMAL.search(text), INFORMAL.search(text).group(0)
    assert "999" in text, "the emergency number is on every page"


def test_a_polish_survey_is_polish_from_the_question_to_the_thank_you_page(app, client, clock, engage):
    created = engage(language="pl", stage="report")
    path = path_of(created["survey_link"])
    page = client.get(path)
    assert_polish(page)
    text = visible(page)
    assert "Jak oceniają Państwo naszą obsługę przy zgłoszeniu przestępstwa?" in text
    assert "5 - Bardzo dobrze" in text and "1 - Bardzo źle" in text
    assert "od poniedziałku do piątku 08:00-20:00" in text

    wrong = client.post(path, data={"nonce": nonce(page), "rating": "9"})
    assert wrong.status_code == 400 and "Prosimy wybrać ocenę od 1 do 5." in visible(wrong)
    assert_polish(wrong)

    rated = client.post(path, data={"nonce": nonce(page), "rating": "4"})
    assert_polish(rated)
    text = visible(rated)
    assert "Zapisaliśmy ocenę 4." in text
    assert "Czy chcą Państwo, aby organizatorzy forum" in text and "Tak, proszę o informacje o forum" in text
    assert "Jak określiliby Państwo swoją grupę etniczną?" in text and "Wolę nie podawać" in text
    assert "Indyjska" in text and "Poniżej 18 lat" in text
    assert re.search(r"<textarea[^>]*>", rated.get_data(as_text=True)).group(0).find("required") == -1

    commented = client.post(path, data={"nonce": nonce(rated), "comment": "Bardzo uprzejmie"})
    assert_polish(commented)
    assert "Dziękujemy za komentarz." in visible(commented)
    forum = client.post(path + "/forum", data={"nonce": nonce(commented), "forum": "yes"})
    assert_polish(forum)
    assert "Organizatorzy forum mogą skontaktować się z Państwem" in visible(forum)
    about = client.post(path + "/about-you", data={"nonce": nonce(forum), "age_band": "25_34",
                                                   "ethnicity": "white_other"})
    assert_polish(about)
    assert "Dziękujemy za te informacje." in visible(about)


def test_the_comment_box_is_never_required(app, client, clock, engage):
    for language, number in (("en", "07911 200001"), ("pl", "07911 200002")):
        created = engage(language=language, officer_id=f"MP-{language}", victim_phone=number)
        path = path_of(created["survey_link"])
        page = client.get(path)
        rated = client.post(path, data={"nonce": nonce(page), "rating": "3"})
        for shown in (page, rated):
            boxes = re.findall(r"<textarea[^>]*>", shown.get_data(as_text=True))
            assert boxes and not any("required" in box for box in boxes), (language, boxes)
        # sending the empty box is not an error, nor a question about the rating again:
        # the rating stands and nothing changes
        again = client.post(path, data={"nonce": nonce(rated), "comment": "  "})
        assert again.status_code == 200 and 'name="rating"' not in again.get_data(as_text=True)
        assert ("You rated this contact 3 out of 5." if language == "en" else "Ocena tego kontaktu: 3 z 5.") \
            in visible(again)


def test_the_leaflet_in_polish(client):
    """The link in a Polish text (?lang=pl): the rights and the helplines in polite Polish,
    with the numbers to call, and the English page stays as it was."""
    page = client.get("/leaflet?lang=pl")
    assert page.status_code == 200
    assert_polish(page)
    text = visible(page)
    for needed in ("Prawa ofiar przestępstw", "Kodeks praw ofiar", "0808 168 9111", "0808 2000 247", "999", "101",
                   "tłumacza"):
        assert needed in text, needed
    assert 'href="/leaflet?lang=pl"' in page.get_data(as_text=True), "the footer links to the Polish leaflet"
    english = client.get("/leaflet")
    assert '<html lang="en-GB">' in english.get_data(as_text=True) and "Victims' Code" in visible(english)


def test_a_survey_past_its_time_says_it_has_closed_in_its_own_language(client, clock, engage):
    """A genuine link opened after the survey closed: "this survey has closed" in the
    survey's language, not "this link is not recognised" in English."""
    polish = path_of(engage(language="pl", victim_phone="07911 200003")["survey_link"])
    english = path_of(engage(language="en", victim_phone="07911 200004", officer_id="MP-en")["survey_link"])
    clock.advance(days=8)  # past the links' time
    for answer in (client.get(polish), client.post(polish, data={"rating": "5"})):
        assert answer.status_code == 410
        assert_polish(answer)
        assert "Ta ankieta jest już zamknięta" in visible(answer)
        assert "Aby porozmawiać z Victim Focus Desk, prosimy zadzwonić pod numer" in visible(answer)
    gone = client.get(english)
    assert gone.status_code == 410 and "This survey has closed" in visible(gone)


def test_a_link_that_names_nobody_is_in_the_language_the_browser_prefers(client):
    """An unrecognised link cannot say whose it is: the victim's browser's language (of
    English and Polish), else English."""
    polish_phone = {"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}
    for path in ("/s/not-a-token", "/forum/withdraw/forged", "/email/unsubscribe/forged"):
        answer = client.get(path, headers=polish_phone)
        assert answer.status_code == 404, path
        assert_polish(answer)
        assert "Nie rozpoznajemy tego linku" in visible(answer), path
        other = client.get(path, headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert '<html lang="en-GB">' in other.get_data(as_text=True) and "not recognised" in visible(other), path
    assert_polish(client.get("/email/unsubscribe/forged?lang=pl"))
    assert_polish(client.get("/leaflet", headers=polish_phone))


def test_the_forum_withdraw_pages_of_a_polish_survey_are_polish(app, client, engage):
    path = path_of(engage(language="pl")["survey_link"])
    rated = client.post(path, data={"nonce": nonce(client.get(path)), "rating": "4"})
    forum = client.post(path + "/forum", data={"nonce": nonce(rated), "forum": "yes"})
    withdraw = re.search(r'href="https://desk.example.org(/forum/withdraw/[^"]+)"',
                         forum.get_data(as_text=True)).group(1)
    confirm = client.get(withdraw)  # an English browser: the survey's language decides
    assert confirm.status_code == 200 and 'id="withdraw-form"' in confirm.get_data(as_text=True)
    assert_polish(confirm)
    assert "Wycofuję prośbę" in visible(confirm)
    done = client.post(withdraw, headers={"Accept-Language": "en-GB"})
    assert done.status_code == 200
    assert_polish(done)
    assert "Nie będziemy kontaktować się z Państwem w sprawie forum" in visible(done)
