"""A time budget to reach a person: seconds of speech along the main paths, worked out
from the TwiML the calls played (tests/support/speech_time.py), from the start of the
call, the desk open on a Monday morning with no message of the day.  README ("The
phone line") gives the figures.

- before the first choice: an English caller hears how to reach someone at the desk
  ("press 2") within 20 s; a Polish caller hears the Polish option within 20 s;
- a caller who says nothing reaches the queue within 45 s (speech and the menus'
  waits for an answer together);
- booking a callback with the usual answers (this number, safe, voicemail, any time,
  confirm: each the first option, pressed as soon as it is offered, since keys work
  while a question is read) takes at most 45 s of listening after choosing it.
"""
from __future__ import annotations

import re

import pytest

from flows.model import Menu
from tests.support import speech_time

FIRST_CHOICE = 20.0
SILENT_TO_QUEUE = 45.0
CALLBACK_BOOKING = 45.0


def test_the_rates_count_digits_as_they_are_said():
    ssml = ('<Say language="en-GB" voice="Polly.Amy">call <say-as interpret-as="digits">999</say-as> '
            'and press <say-as interpret-as="digits">55</say-as>, then <lang xml:lang="en-GB">Victim '
            'Support</lang>.</Say>')
    assert speech_time.ssml_words(ssml) == 1 + 3 + 2 + 2 + 1 + 2


def test_english_caller_hears_how_to_reach_a_person_within_the_budget(dial):
    call = dial()
    assert speech_time.until(call.said, r"\bpress 2\b") <= FIRST_CHOICE


def test_polish_caller_hears_the_polish_option_within_the_budget(dial):
    call = dial()
    assert speech_time.until(call.said, r"po polsku") <= FIRST_CHOICE


def test_a_silent_caller_reaches_the_queue_within_the_budget(dial):
    call = dial()
    gathers = 0
    while call.waiting_for == "gather":
        call.silence()
        gathers += 1
    assert call.waiting_for == "queue"
    waiting = gathers * Menu.timeout  # the main menu's wait for an answer, each time
    assert speech_time.total(call.said) + waiting <= SILENT_TO_QUEUE


def seconds_to_book(call) -> float:
    """From choosing a callback (3) to hearing it is booked, answering each question with
    its first option as soon as it is offered: this number, safe to call, voicemail,
    any time, confirm."""
    spent, asked = 0.0, None
    for key in "311111":
        if asked is not None:
            spent += speech_time.until(asked, r"(press|naciśnij) 1\b")
        start = len(call.said)
        call.press(key)
        asked = call.said[start:]
    return spent + speech_time.until(asked, r"call you back|booked|Oddzwonimy|Zapisaliśmy")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_booking_a_callback_with_the_usual_answers_is_within_the_budget(dial, language):
    call = dial()
    if language == "pl":
        call.press("8")
    assert seconds_to_book(call) <= CALLBACK_BOOKING
