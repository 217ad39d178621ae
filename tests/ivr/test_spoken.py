"""Numbers a caller must act on are read the way they must act on them: the catalog
marks them (flows.spoken), the edge turns the marks into SSML (ivr/voices.py), and the
words Polish needs are written out (flows.number_words).  Polly itself cannot be
reached from here: the rendered SSML and words are what is checked."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, time

import pytest
from twilio.twiml.voice_response import VoiceResponse

from flows import engine, prompts, spoken
from flows import number_words as words
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import Answer, Digits, QueueWait, Say, Trigger
from flows.phone import spoken_groups, spoken_phone
from ivr.voices import DEFAULT_VOICES, add_say


def rendered(text: str, language: str = "en", values=None) -> ET.Element:
    parts = spoken.fill(text, values or {})
    response = VoiceResponse()
    add_say(response, Say("k", parts.plain, language, tuple(parts)), DEFAULT_VOICES)
    return ET.fromstring(str(response)).find("Say")


def inner(say: ET.Element) -> str:
    """The Say's content as sent, without the element itself."""
    xml = ET.tostring(say, encoding="unicode")
    return xml[xml.index(">") + 1:xml.rindex("</Say>")]


def test_marked_numbers_are_read_digit_by_digit():
    say = rendered("If you cannot speak, call [digits:999] and press [digits:55] when asked.")
    assert inner(say) == ('If you cannot speak, call <say-as interpret-as="digits">999</say-as> and press '
                          '<say-as interpret-as="digits">55</say-as> when asked.')
    assert "".join(say.itertext()) == "If you cannot speak, call 999 and press 55 when asked."


def test_phone_numbers_are_read_in_their_groups():
    say = rendered("Victim Support is on [phone:0808 168 9111].")
    assert inner(say) == ('Victim Support is on <say-as interpret-as="digits">0 8 0 8</say-as>, '
                          '<say-as interpret-as="digits">1 6 8</say-as>, <say-as interpret-as="digits">'
                          '9 1 1 1</say-as>.')


@pytest.mark.parametrize("e164, heard", [
    ("+447911123456", "0 7 9 1 1, 1 2 3, 4 5 6"),
    ("+442079460000", "0 2 0, 7 9 4 6, 0 0 0 0"),
    ("+448081689111", "0 8 0 8, 1 6 8, 9 1 1 1"),
    ("+48601234567", "plus 4 8, 6 0 1, 2 3 4, 5 6 7"),
])
def test_a_callers_number_is_read_back_in_groups(e164, heard):
    assert spoken_groups(e164).plain == heard
    say = rendered("We will call you back on {number}.", values={"number": spoken_phone(e164)})
    assert "".join(say.itertext()) == f"We will call you back on {heard}."
    assert len(say.findall("say-as")) == heard.count(",") + 1


def test_english_names_in_a_polish_sentence_are_read_as_english():
    say = rendered("Infolinia [en:Victim Support] jest bezpłatna.", "pl")
    assert say.get("language") == "pl-PL" and say.get("voice") == "Polly.Ewa"
    [lang] = say.findall("lang")
    assert lang.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB" and lang.text == "Victim Support"


def test_values_filled_in_are_words_never_markup():
    """A case update's text is read as it is: brackets in it mark nothing."""
    say = rendered("The update says: {message}", values={"message": "Call [digits:1] <now> & [en:x]"})
    assert say.findall("*") == [] and say.text == "The update says: Call [digits:1] <now> & [en:x]"


@pytest.mark.parametrize("bad", ["call [digit:999]", "call [digits:9a]", "[phone:call us]", "call [999"])
def test_bad_markup_is_refused(bad):
    with pytest.raises(ValueError):
        spoken.parse(bad)


@pytest.mark.parametrize("moment, said", [
    (time(8), "ósmej"), (time(12), "dwunastej"), (time(16, 30), "szesnastej trzydzieści"),
    (time(20), "dwudziestej"), (time(21), "dwudziestej pierwszej"), (time(9, 5), "dziewiątej zero pięć"),
    (time(23, 59, 59, 999999), "północy"), (time(0), "północy"), (time(13, 45), "trzynastej czterdzieści pięć"),
])
def test_polish_hours_are_words_in_the_case_o_od_and_do_take(moment, said):
    assert words.pl_hour(moment) == said


@pytest.mark.parametrize("day, said", [(1, "pierwszego"), (2, "drugiego"), (7, "siódmego"), (12, "dwunastego"),
                                       (20, "dwudziestego"), (22, "dwudziestego drugiego"),
                                       (31, "trzydziestego pierwszego")])
def test_polish_dates_are_genitive_ordinals(day, said):
    assert words.pl_day_of_month(day) == said


@pytest.mark.parametrize("n, said", [(1, "jedna minuta"), (2, "dwie minuty"), (4, "cztery minuty"),
                                     (5, "pięć minut"), (12, "dwanaście minut"), (20, "dwadzieścia minut"),
                                     (22, "dwadzieścia dwie minuty"), (25, "dwadzieścia pięć minut")])
def test_polish_minutes_agree_with_the_number(n, said):
    assert words.pl_minutes(n) == said


@pytest.mark.parametrize("n, said", [(1, "pierwsze"), (2, "drugie"), (3, "trzecie"), (11, "jedenaste"),
                                     (23, "dwudzieste trzecie")])
def test_polish_queue_places_are_ordinals(n, said):
    assert words.pl_place(n) == said


@pytest.mark.parametrize("n, said", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                     (13, "13th"), (21, "21st"), (22, "22nd"), (31, "31st")])
def test_english_dates_are_ordinals(n, said):
    assert words.en_day_of_month(n) == said


def polish_call(now, inputs=()):
    """What a Polish caller hears (Trigger in Polish), step by step."""
    flow = call_flow()
    state, events = engine.start(flow, Trigger("CA1", "+447911123456", "pl"), now=now)
    heard = [events]
    for item in inputs:
        state, events = engine.resume(flow, state, item, now=now)
        heard.append(events)
    return [" ".join(s.text for e in evs for s in [e, *getattr(e, "prompts", ())] if isinstance(s, Say))
            for evs in heard]


def test_a_polish_caller_hears_times_places_and_waits_as_words():
    closed = polish_call(datetime(2026, 11, 23, 21, 0, tzinfo=LONDON))[0]
    assert "Biuro będzie znowu czynne jutro o ósmej." in closed
    assert "od poniedziałku do piątku od ósmej do dwudziestej" in closed
    opened = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    waiting = polish_call(opened, [Digits("2"), Answer("staffing", "staffed"), QueueWait(2, 290, 5, 2, True)])[-1]
    assert "Miejsce w kolejce: drugie." in waiting and "Czas oczekiwania to mniej więcej pięć minut." in waiting
    assert not re.search(r"\d", waiting.replace("naciśnij 1", ""))


def test_a_date_a_week_ahead_is_read_as_words():
    assert prompts.when(datetime(2026, 12, 7, 8, 0, tzinfo=LONDON), 9, "pl") == \
        "w poniedziałek, siódmego grudnia, o ósmej"
    assert prompts.when(datetime(2026, 12, 7, 8, 0, tzinfo=LONDON), 9, "en") == "on Monday 7th December at 8 am"
