"""Every catalog text, filled with the longest values allowed, stays GSM-7 and within
three segments; filling never lets a Unicode character or an overlong update through."""
import string

import pytest

from flows.sms_texts import CATALOG, MAX_SEGMENTS, PLACEHOLDER_LIMITS, is_gsm7, render, segments
from emulator.texter import segments as twilio_segments

LONGEST = {"officer": "Detective Constable Placeholder Longest-Officer-Name-For-Lengths..",
           "date": "Wed 30 Sep", "desk_number": "+44 20 7946 0000", "rating": 5, "first": 4,
           "attempted": 2, "when": "on Wed 30 Sep from 09:00", "reference": "CAD/5201234/26-XYZ-1234567",
           "message": "The suspect “J” was interviewed — and charged… " * 40,
           "link": "https://desk.example.org/s/WzEyMzQ1NiwxNzY5OTg0MDAwXQ.Xk1Kq2vYb3mW8tL0pQ9rS7uV5wA",
           "url": "https://desk.example.org/leaflet"}
TEMPLATES = sorted((language, text_id) for language, texts in CATALOG.items() for text_id in texts)


def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language, text_id", TEMPLATES)
def test_every_text_is_gsm7_and_at_most_three_segments(language, text_id):
    assert placeholders(CATALOG[language][text_id]) <= set(PLACEHOLDER_LIMITS), "a placeholder without a limit"
    body = render(text_id, language=language, **LONGEST)
    assert "{" not in body and "}" not in body
    assert is_gsm7(body), [ch for ch in body if not is_gsm7(ch)]
    assert segments(body) <= MAX_SEGMENTS
    assert twilio_segments(body) <= MAX_SEGMENTS, "as Twilio would count it"


def test_the_invitation_says_who_what_how_and_how_to_stop():
    body = render("survey_invite", officer="PC 4521 Lambeth", date="Mon 23 Nov", link=LONGEST["link"])
    assert body.startswith("Message from the desk you contacted:")
    assert "PC 4521 Lambeth" in body and "Mon 23 Nov" in body
    assert "1 (very poor) to 5 (excellent)" in body and "Reply STOP to opt out" in body
    assert segments(body) <= 2


def test_help_has_hours_number_and_999():
    body = render("help", desk_number="020 7946 0000")
    for needed in ("Mon-Fri 08:00-20:00", "Sat-Sun 08:00-16:00", "020 7946 0000", "999"):
        assert needed in body


def test_a_long_update_is_cut_to_fit_and_says_so():
    body = render("case_update_full", reference="5201234/26", desk_number="020 7946 0000",
                  message="Word " * 300)
    assert segments(body) == 3 and "..." in body and body.endswith("reply CALL for a call back. In an emergency call 999.")


def test_unicode_in_names_is_made_gsm7_rather_than_doubling_the_cost():
    body = render("survey_invite", officer="PC Zoë O’Brien – Łódź", date="Mon 23 Nov", link=LONGEST["link"])
    assert is_gsm7(body) and "PC Zoe O'Brien - Lodz" in body
