"""The length, language and discretion of every text: a table of each text's segments
in English and Polish with typical values, the invitation with its link and the
longest officer name the API accepts, and what shows on a lock screen."""
import string
from datetime import datetime

import pytest

from desk.clock import LONDON
from emulator.texter import segments as twilio_segments
from flows.sms_texts import (CATALOG, OPENING, TEXTS, TEXTS_PL, callback_when, contact_date, encoding, is_gsm7,
                             render, segments)

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
LINK = "https://desk.example.org/s/WzEyMzQ1NiwxNzY5OTg0MDAwXQ.Xk1Kq2vYb3mW8tL0pQ9rS7uV5wA"  # a 6-digit survey id
LONGEST_OFFICER = "D" * 60  # EngagementIn.officer_name's max_length


def typical(language):
    return {"officer": "PC 4521", "date": contact_date(MONDAY, language), "desk_number": "020 7946 0000",
            "rating": 4, "first": 4, "attempted": 2, "when": callback_when(MONDAY.replace(hour=18), MONDAY, language),
            "reference": "5201234/26", "message": "The suspect has been charged.", "link": LINK,
            "url": "https://desk.example.org/leaflet" + ("?lang=pl" if language == "pl" else "")}


# What each text takes with typical values: one segment, except the invitation (its
# survey link), a full case update (the update itself, cut to fit three) and the HELP
# reply (the 24-hour helplines, which a victim texting HELP must get at once).
TWO = {"survey_invite", "case_update_full", "help"}
TABLE = [(language, text_id, 2 if text_id in TWO else 1) for language in ("en", "pl") for text_id in sorted(TEXTS)]


@pytest.mark.parametrize("language, text_id, most", TABLE)
def test_each_text_in_each_language_fits_its_segments_with_typical_values(language, text_id, most):
    body = render(text_id, language=language, **typical(language))
    assert is_gsm7(body), [ch for ch in body if not is_gsm7(ch)]
    assert segments(body) <= most, (len(body), body)
    assert twilio_segments(body) == segments(body)


def test_every_text_has_a_polish_version_with_the_same_placeholders():
    def names(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert set(TEXTS_PL) == set(TEXTS)
    for text_id in TEXTS:
        assert names(TEXTS_PL[text_id]) == names(TEXTS[text_id]), text_id


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_invitation_with_its_link_and_the_longest_officer_name_fits_two_segments(language):
    body = render("survey_invite", language=language, **{**typical(language), "officer": LONGEST_OFFICER})
    assert LINK in body and LONGEST_OFFICER in body
    assert is_gsm7(body) and segments(body) == 2


def test_the_invitation_carries_the_signed_survey_link(app, api, clock, fake_twilio, run_workers):
    from services.survey_links import read_token

    clock.advance(hours=1)
    made = api.post("/engagements", {"officer_id": "MP1", "officer_name": "PC 4521", "borough": "lambeth",
                                     "victim_phone": "07911 123456", "occurred_at": "2026-11-23T09:00:00+00:00"})
    assert made.status_code == 201, made.json
    clock.advance(hours=2)
    run_workers()
    [sent] = fake_twilio.messages_to("+447911123456")
    link = next(word for word in sent["body"].split() if word.startswith("http"))
    assert link == made.json["survey_link"]
    with app.app_context():
        assert read_token(link.rsplit("/", 1)[1], clock()) == made.json["survey_id"]
    assert segments(sent["body"]) <= 2


@pytest.mark.parametrize("language", ["en", "pl"])
def test_nothing_on_the_lock_screen_gives_the_victim_away(language):
    for text_id in TEXTS:
        body = render(text_id, language=language, **typical(language)).lower()
        for word in ("police", "victim", "crime", "metropolitan", "ofiar", "policj", "przestep"):
            assert word not in body, (text_id, word)
    for text_id in ("survey_invite", "case_update_minimal", "case_update_full", "leaflet"):
        assert CATALOG[language][text_id].startswith(OPENING[language] + ":")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_every_case_update_and_the_leaflet_end_with_999(language):
    for text_id in ("case_update_minimal", "case_update_full", "leaflet"):
        assert render(text_id, language=language, **typical(language)).rstrip(".").endswith("999"), text_id


def test_polish_texts_are_written_without_diacritics_so_they_stay_gsm7():
    for text_id, template in TEXTS_PL.items():
        assert not set(template) & set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"), text_id
    body = render("case_update_full", language="pl", **{**typical("pl"), "message": "Sprawa została zamknięta."})
    assert "Sprawa zostala zamknieta." in body and is_gsm7(body) and segments(body) <= 2


@pytest.mark.parametrize("message, parts", [
    ("Свидетель дал показания.", 3),  # Cyrillic: sent as it is, in UCS-2
    ("We have your statement 👍", 3),
])
def test_a_value_outside_gsm7_is_sent_as_ucs2_with_its_segment_count_never_as_question_marks(message, parts):
    body = render("case_update_full", **{**typical("en"), "message": message})
    assert message in body and "?" not in body
    assert encoding(body) == "UCS-2"
    assert segments(body) == parts  # 70 UCS-2 units in one part, 67 a part after that
    long = render("case_update_full", **{**typical("en"), "message": "Свидетель " * 100})
    assert segments(long) == 3 and long.endswith("999.")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_each_stage_s_invitation_is_discreet_and_fits_two_segments_with_the_longest_officer_name(language):
    from flows import journey

    for stage in journey.STAGES:
        body = journey.sms_invite(stage, language, LONGEST_OFFICER, contact_date(MONDAY, language), LINK) or render(
            "survey_invite", language=language, **{**typical(language), "officer": LONGEST_OFFICER})
        assert body.startswith(OPENING[language] + ":") and LINK in body, (stage, body)
        assert is_gsm7(body) and segments(body) <= 2, (stage, len(body), body)
        for word in ("police", "victim", "crime", "court", "charg", "metropolitan", "ofiar", "policj", "przestep", "sad"):
            assert word not in body.lower().replace(LINK.lower(), ""), (stage, word)
