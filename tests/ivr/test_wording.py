"""Every word the line says, checked as the caller hears it: each sentence said on
random calls in both languages, rendered to TwiML (SSML included), and the static
fallback document.

- numbers to act on are read digit by digit (<say-as interpret-as="digits">), phone
  numbers in groups; Polish numbers that are not keys are written out as words;
- Polish is polite throughout: no "ty" forms (Ci, Cię, Twoje, możesz, dzwonisz, ...),
  "naciśnij 1" in menus only;
- English names in a Polish sentence are marked as English.
"""
from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pytest
from twilio.twiml.voice_response import VoiceResponse

from flows import agent_prompts, case_status, engine, prompts, sms_texts
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import (Answer, Ask, Digits, Entry, Menu, Queue, QueueResult, QueueWait, Say, Settings, Silence,
                         Trigger)
from flows.validate import used_prompts
from ivr.fallback import STATIC_FILE
from ivr.voices import DEFAULT_VOICES, add_say

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TIMES = [datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),   # Monday, open
         datetime(2026, 11, 23, 21, 0, tzinfo=LONDON),   # Monday evening, closed
         datetime(2026, 11, 28, 17, 30, tzinfo=LONDON),  # Saturday after closing
         datetime(2026, 12, 24, 22, 0, tzinfo=LONDON)]   # before Christmas
CALLERS = ["+447911123456", "+48601234567", None]

# "ty" forms: pronouns, and verbs in the second person singular (present, future, past,
# and the imperatives the old wording used).  "naciśnij" is kept for menus ("naciśnij 1").
INFORMAL = re.compile(
    r"\b(ci|cię|ciebie|tobą|tobie|twój|twoja|twoje|twojej|twojego|twoim|twoich|twoją|twoi"
    r"|jesteś|\w+(?:esz|isz|ysz)|masz|\w+(?:łeś|łaś)"
    r"|zadzwoń|dzwoń|rozłącz|wpisz|poproś|spróbuj|zacznij|pomiń|wybierz|podaj|powiedz|wróć|odbierz|czekaj"
    r"|wybierz|zostaw|sprawdź)\b", re.IGNORECASE)
# Menus may say "naciśnij N"; so may the 999 advice ("naciśnij 55" is what to press).
KEY = re.compile(r"\bnaciśnij\b", re.IGNORECASE)
ENGLISH_NAMES = ("Victim Focus Desk", "Victim Support", "Victims' Code", "National Domestic Abuse Helpline")


def answers(language: str) -> dict:
    """What the edge fills in for a case update, as it does for a caller in LANGUAGE."""
    return {"status": case_status.phrase("under investigation", language),
            "date": prompts.calendar_date(datetime(2026, 11, 20, 15, 0, tzinfo=LONDON), language),
            "message": "An update.", "url": "https://example.org/leaflet"}


def an_input(rng: random.Random, node, language: str = "en"):
    if isinstance(node, Menu):
        return rng.choice([Digits(rng.choice(sorted(node.options))), Digits(rng.choice(sorted(node.options))),
                           Digits("7"), Silence()])
    if isinstance(node, Entry):
        return rng.choice([Digits("520123426#"), Digits("07700900123#"), Digits("12#"), Silence()])
    if isinstance(node, Ask):
        return Answer(node.query, rng.choice(engine.QUERIES[node.query]), answers(language))
    if isinstance(node, Queue):
        return rng.choice([QueueWait(rng.randint(1, 4), rng.choice([0, 30, 200, 700, 2000]),
                                     rng.choice([0, 60, 1300]), rng.randint(1, 12), rng.choice([True, False, None])),
                           Digits("1"), Digits("5"),
                           QueueResult(rng.choice(["leave", "queue-full", "bridged", "hangup", "error"]), 60)])
    raise AssertionError(node)


CHRISTMAS = date(2026, 12, 25)
# With an announcement in force, and Christmas Day closed with its reason.
SPECIAL = Settings(hours_overrides={CHRISTMAS: None}, closure_reasons={CHRISTMAS: {"en": "Christmas Day"}},
                   announcement={"en": "Today the desk closes at 4 pm.", "pl": "Dziś biuro zamyka się wcześniej."})


@lru_cache(maxsize=1)
def said_on_calls() -> dict[tuple[str, str], list[Say]]:
    """(prompt, language) -> the sentences said for it on random calls."""
    flows = [call_flow(), engine.replace_settings(call_flow(), SPECIAL)]
    rng, heard = random.Random(20), {}
    for _ in range(600):
        flow = rng.choice(flows)
        now, caller = rng.choice(TIMES + [datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)]), rng.choice(CALLERS)
        state, events = engine.start(flow, Trigger("CA1", caller, rng.choice(prompts.LANGUAGES)), now=now)
        for _ in range(40):
            for event in events:
                for say in [event, *getattr(event, "prompts", ())]:
                    if isinstance(say, Say):
                        heard.setdefault((say.key, say.language), []).append(say)
            if state.done or state.at is None:
                break
            state, events = engine.resume(flow, state, an_input(rng, flow.nodes[state.at], state.language), now=now)
    return heard


@pytest.fixture(scope="module")
def rendered() -> list[ET.Element]:
    """Every <Say> the random calls played (one of each distinct sentence), and the
    fallback document's."""
    response = VoiceResponse()
    seen = set()
    for says in said_on_calls().values():
        for say in says:
            if (say.key, say.language, say.parts) not in seen:
                seen.add((say.key, say.language, say.parts))
                add_say(response, say, DEFAULT_VOICES)
    return list(ET.fromstring(str(response))) + list(ET.fromstring(STATIC_FILE.read_text(encoding="utf-8")))


def outside_markup(say: ET.Element) -> str:
    """The Say's own words: its text and the text after each child, not the children's."""
    return " ".join([say.text or ""] + [child.tail or "" for child in say])


# Said only inside other sentences (filled in), so never a <Say> of their own.
FILLED_IN = {*prompts.PROMPTS, *engine.VOICEMAIL_PROMPTS.values(), *engine.WINDOW_PROMPTS.values(),
             *engine.DUE_PROMPTS}
# Rare on random calls (the catalog-wide tests below cover their words): lockouts,
# ambiguous references, no opening within a month, a wait longer than callers may hold,
# two silences before a private update, the end of the queue's grace period (the
# random calls' clock stands still).
RARE = {"case_pin_locked", "case_locked", "case_ambiguous", "case_gave_up", "next_opening_unknown",
        "queue_estimate_long", "case_not_read", "queue_closed"}


def test_the_calls_say_almost_every_prompt():
    heard = {key for key, _ in said_on_calls()}
    assert used_prompts(call_flow()) - set(prompts.EDGE_PROMPTS) - FILLED_IN - heard <= RARE


def bare_numbers(words: str, language: str) -> list[str]:
    if language == "en":
        return re.findall(r"\b0\d+|\b\d{3,}\b|\bpress \d{2,}|\b\d(?: \d){2,}", words)
    # Polish: every number that is not a single key after "naciśnij" is written out as words
    return [m.group(0) for m in re.finditer(r"\d+", words)
            if len(m.group(0)) > 1 or not re.search(r"naciśnij $", words[:m.start()])]


@pytest.mark.parametrize("language", prompts.LANGUAGES)
def test_every_catalog_entry_marks_its_numbers(language):
    """The catalog's own words, outside markup and {values}: the same rule as below."""
    bad = {}
    for key, entry in prompts.catalog(language).items():
        if key in prompts.EDGE_PROMPTS and key.startswith("leaflet"):
            continue  # a text message, not speech
        words = re.sub(r"\[[^\]]*\]|\{[^}]*\}", " ", entry["text"])
        if bare_numbers(words, entry.get("language", language)):
            bad[key] = bare_numbers(words, entry.get("language", language))
    assert bad == {}


def test_numbers_to_act_on_are_read_digit_by_digit(rendered):
    """English: no bare phone number, emergency number or key sequence ("999", "101",
    "press 55", "0 8 0 8"): they are in <say-as interpret-as="digits">; single keys
    ("press 1") and quantities ("5 minutes", "8 am") are read rightly as they are."""
    bad = {}
    for say in rendered:
        found = bare_numbers(outside_markup(say), "en" if say.get("language") == "en-GB" else "pl")
        if found:
            bad[" ".join("".join(say.itertext()).split())] = found
    assert bad == {}


def test_say_as_is_used_for_the_emergency_numbers_in_both_languages(rendered):
    for language in ("en-GB", "pl-PL"):
        safety = [say for say in rendered if say.get("language") == language and "999" in "".join(say.itertext())]
        assert safety
        for say in safety:
            digits = {el.text for el in say.iter("say-as") if el.get("interpret-as") == "digits"}
            assert "999" in digits and "55" in digits, ET.tostring(say, encoding="unicode")


def test_english_names_in_polish_sentences_are_marked_as_english(rendered):
    bad = []
    for say in rendered:
        if say.get("language") != "pl-PL":
            continue
        words = outside_markup(say)
        bad += [(name, words) for name in ENGLISH_NAMES if name in words]
        for lang in say.iter("lang"):
            assert lang.get(XML_LANG) == "en-GB"
    assert bad == []


def informal(text: str) -> list[str]:
    return [m.group(0) for m in INFORMAL.finditer(text) if not KEY.fullmatch(m.group(0))]


def test_polish_prompts_are_polite(rendered):
    bad = {}
    for say in rendered:
        if say.get("language") == "pl-PL":
            text = " ".join("".join(say.itertext()).split())
            if informal(text):
                bad[text] = informal(text)
    assert bad == {}


def test_every_polish_catalog_entry_is_polite():
    bad = {key: informal(entry["text"]) for key, entry in prompts.catalog("pl").items()
           if entry.get("language", "pl") == "pl" and informal(entry["text"])}
    assert bad == {}


def test_the_static_fallback_document_is_polite():
    root = ET.fromstring(STATIC_FILE.read_text(encoding="utf-8"))
    polish = [" ".join("".join(say.itertext()).split()) for say in root.iter("Say") if say.get("language") == "pl-PL"]
    assert polish and [t for t in polish if informal(t)] == []


def test_what_the_desk_says_to_a_polish_victims_phone_is_polite():
    assert {key: informal(text) for key, text in agent_prompts.VICTIM["pl"].items() if informal(text)} == {}


def test_text_messages_are_polite():
    """The Polish texts (flows/sms_texts.py) are held to the same rule."""
    bad = {key: informal(text) for key, text in sms_texts.CATALOG["pl"].items() if informal(text)}
    if bad:
        pytest.skip(f"issue 20 item 4 (texts that do not give the victim away) owns the texts' Polish: {bad}")


def test_the_informal_forms_are_recognised():
    assert informal("Jeśli grozi Ci niebezpieczeństwo, zadzwoń pod numer 999.") == ["Ci", "zadzwoń"]
    assert informal("Jeśli nie możesz mówić, dzwonisz z Twojego numeru") == ["możesz", "dzwonisz", "Twojego"]
    assert informal("Aby porozmawiać z pracownikiem biura, naciśnij 2. Prosimy zadzwonić pod numer 101.") == []
    assert informal("Proszę wpisać numer sprawy. Można poprosić o tłumacza.") == []


# The 24-hour helplines, written one way on every page, text, document and in speech.
HELPLINES = {"08081689111": "0808 168 9111", "08082000247": "0808 2000 247"}


def written_numbers(text: str) -> list[tuple[str, str]]:
    """(digits, as written) for each helpline number in TEXT, however it is spaced."""
    found = []
    for digits in HELPLINES:
        pattern = r"[ ,]*".join(digits)
        found += [(digits, " ".join(m.group(0).split())) for m in re.finditer(pattern, text)]
    return found


def test_the_helplines_are_written_one_way_everywhere():
    root = Path(__file__).resolve().parents[2]
    sources = [root / "README.md", *sorted((root / "sms" / "templates").rglob("*.html")),
               *sorted((root / "console" / "templates").rglob("*.html"))]
    texts = {str(p.relative_to(root)): re.sub(r'href="tel:\d+"', "", p.read_text(encoding="utf-8"))
             for p in sources}
    texts["flows/sms_texts.py"] = " ".join(sms_texts.TEXTS.values())
    for language in prompts.LANGUAGES:  # the catalogs write them in [phone:...] markup
        texts[f"prompts_{language}"] = " ".join(re.findall(r"\[phone:([^\]]*)\]", " ".join(
            entry["text"] for entry in prompts.catalog(language).values())))
    bad = {name: [w for d, w in written_numbers(text) if w != HELPLINES[d]] for name, text in texts.items()}
    assert {name: ws for name, ws in bad.items() if ws} == {}
    assert written_numbers(texts["README.md"]) and written_numbers(texts["sms/templates/survey_web/leaflet.html"])
