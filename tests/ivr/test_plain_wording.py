"""The particular words issue 20 found wrong, each held to its fix: plain English with
the action first, and the Polish a frightened adult expects from the police."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from flows import engine, prompts
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import Digits, Gather, Say, Trigger

EN, PL = prompts.catalog("en"), prompts.catalog("pl")
OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
SPEECH_KEYS = list(EN)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s]


def test_the_rights_are_short_sentences_that_explain_the_code():
    for catalog in (EN, PL):
        text = re.sub(r"\[\w+:([^\]]*)\]", r"\1", catalog["rights"]["text"])
        assert max(len(s.split()) for s in sentences(text)) <= 25
    assert "The Victims' Code is" in EN["rights"]["text"]
    assert "Kodeks praw ofiar przestępstw" in PL["rights"]["text"]


def test_the_rights_can_be_skipped_back_to_the_menu():
    flow = call_flow()
    state, _ = engine.start(flow, Trigger("CA1", "+447911123456"), now=OPEN)
    state, events = engine.resume(flow, state, Digits("4"), now=OPEN)
    gather = next(e for e in events if isinstance(e, Gather))
    assert [p.key for p in gather.prompts if isinstance(p, Say)][:1] == ["rights"]
    assert gather.prompts[0].text.startswith("To skip this and go back to the menu, press 9.")
    state, events = engine.resume(flow, state, Digits("9"), now=OPEN)
    assert state.at == "main_menu"


def test_a_caller_whose_phone_is_unsafe_is_told_to_call_the_number_they_called_today():
    assert "the number you called today" in EN["cb_unsafe"]["text"]
    assert "this number" not in EN["cb_unsafe"]["text"]
    assert "the number you called today" in EN["cb_number_refused"]["text"]


def test_nothing_promises_a_call_at_any_time():
    assert [key for key in SPEECH_KEYS if "at any time" in EN[key]["text"]] == []


def test_a_refused_reference_may_just_be_mistyped():
    assert "mistyped" in EN["case_refused"]["text"]
    assert "wpisany z błędem" in PL["case_refused"]["text"]


def test_one_name_for_the_service():
    names = {m for key in SPEECH_KEYS for m in re.findall(r"(?:the )?Victims? Focus Desk|Metropolitan Police",
                                                         EN[key]["text"] + PL[key]["text"])}
    assert names <= {"the Victim Focus Desk", "Victim Focus Desk"}


def test_call_back_is_said_one_way():
    """"call you back" for the promise; never "a callback" or "callback request" aloud."""
    assert [key for key in SPEECH_KEYS if re.search(r"\bcallback\b", EN[key]["text"], re.IGNORECASE)] == []


@pytest.mark.parametrize("wrong, right", [
    ("Kodeks Ofiar", "Kodeks praw ofiar przestępstw"),
    ("dni ustawowo wolne", "brytyjskie święta państwowe"),
    ("Zapraszamy ponownie", None),
    ("numer referencyjny", "numer sprawy"),
])
def test_polish_words_that_were_wrong(wrong, right):
    polish = " ".join(entry["text"] for entry in PL.values())
    assert wrong not in polish
    assert right is None or right in polish


def test_polish_says_sms_one_way_and_offers_an_interpreter():
    polish = " ".join(entry["text"] for entry in PL.values())
    assert not re.search(r"SMS-", polish)
    assert all(re.search(r"wiadomoś\w+ SMS", polish[max(0, m.start() - 12):m.end()])
               for m in re.finditer(r"SMS", polish))
    assert "Można poprosić o tłumacza." in PL["queue_connecting"]["text"]
