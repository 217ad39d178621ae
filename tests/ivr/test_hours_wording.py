"""The desk's hours are defined once (flows.hours.WeeklyHours, from the settings); every
sentence that states them, spoken, texted or on the web, is generated from it.  A text
that states hours by hand would drift from the hours the desk keeps."""
import random
import re
from datetime import datetime, time
from pathlib import Path

import pytest

from flows import engine, prompts, sms_texts
from flows.call_flow import call_flow
from flows.hours import CALLBACK_WINDOWS, LONDON, WeeklyHours
from flows.model import Answer, Digits, Entry, Menu, Say, Settings, Silence, Trigger

ROOT = Path(__file__).resolve().parents[2]
SHORT = WeeklyHours(weekdays=(time(9), time(17)), weekends=None, bank_holidays=None)
# The default hours' times, as each wording states them: none may be heard with SHORT.
DEFAULT_TIMES = {"en": ("8 am", "8 pm"), "pl": ("od ósmej", "do dwudziestej")}

# A clock time written into a catalog entry instead of filled in from the definition.
CLOCK = re.compile(r"\b\d{1,2}(:\d\d)? ?(am|pm)\b|\bnoon\b|\b\d{1,2}:\d\d\b|\bod \d{1,2} do \d{1,2}\b"
                   r"|\bmiędzy \d{1,2} a \d{1,2}\b", re.IGNORECASE)


def outside_placeholders(text: str) -> str:
    return re.sub(r"\{[^}]*\}", "", text)


@pytest.mark.parametrize("language", prompts.LANGUAGES)
def test_no_prompt_states_a_time_by_hand(language):
    written = {key: CLOCK.search(outside_placeholders(entry["text"]))
               for key, entry in prompts.catalog(language).items()}
    assert {key: match.group(0) for key, match in written.items() if match} == {}


def test_no_text_message_or_web_page_states_a_time_by_hand():
    for text_id, template in sms_texts.TEXTS.items():
        assert not CLOCK.search(outside_placeholders(template)), text_id
    assert not re.search(r"\d\d:\d\d", "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "sms/templates").rglob("*.html")))


def test_the_default_hours_are_said_as_before():
    en = prompts.opening_hours(WeeklyHours(), "en")
    pl = prompts.opening_hours(WeeklyHours(), "pl")
    assert prompts.text("hours", "en", {"opening_hours": en}) == (
        "We are open Monday to Friday from 8 am to 8 pm, and at weekends and on bank holidays from 8 am to 4 pm.")
    assert prompts.text("hours", "pl", {"opening_hours": pl}) == (
        "Biuro jest czynne od poniedziałku do piątku od ósmej do dwudziestej, a w weekendy i brytyjskie święta "
        "państwowe od ósmej do szesnastej.")
    assert sms_texts.opening_hours(WeeklyHours()) == "Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00"


@pytest.mark.parametrize("weekly, en", [
    (SHORT, "We are open Monday to Friday from 9 am to 5 pm, and closed at weekends and on bank holidays."),
    (WeeklyHours(weekends=(time(10), time(14)), bank_holidays=None),
     "We are open Monday to Friday from 8 am to 8 pm, at weekends from 10 am to 2 pm, and closed on bank holidays."),
    (WeeklyHours(weekends=None, bank_holidays=(time(9, 30), time(12))),
     "We are open Monday to Friday from 8 am to 8 pm, closed at weekends, and on bank holidays from 9:30 am "
     "to 12 noon."),
])
def test_other_hours_are_said_as_they_are(weekly, en):
    assert prompts.text("hours", "en", {"opening_hours": prompts.opening_hours(weekly, "en")}) == en


def test_polish_says_closed_days_too():
    text = prompts.text("hours", "pl", {"opening_hours": prompts.opening_hours(SHORT, "pl")})
    assert text == ("Biuro jest czynne od poniedziałku do piątku od dziewiątej do siedemnastej, a w weekendy i "
                    "brytyjskie święta państwowe jest nieczynne.")


def an_input(rng: random.Random, node):
    if isinstance(node, Menu):
        return rng.choice([Digits(rng.choice(sorted(node.options))), Silence()])
    if isinstance(node, Entry):
        return rng.choice([Digits("520123426#"), Digits("07700900123#")])
    if hasattr(node, "query"):
        return Answer(node.query, rng.choice(engine.QUERIES[node.query]),
                      {"status": "open", "date": "20 November", "message": "An update.", "url": "https://x.org"})
    return Digits("1")


def heard_on_calls(weekly: WeeklyHours) -> dict[tuple[str, str], set[str]]:
    """(prompt, language) -> every text said for it on random calls with WEEKLY."""
    flow = engine.replace_settings(call_flow(), Settings(weekly_hours=weekly))
    rng, heard = random.Random(11), {}
    times = [datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), datetime(2026, 11, 23, 21, 0, tzinfo=LONDON),
             datetime(2026, 11, 28, 12, 0, tzinfo=LONDON)]
    for _ in range(2000):  # enough random calls to reach every read-back in both languages
        now = rng.choice(times)
        state, events = engine.start(flow, Trigger("CA1", "+447911123456", rng.choice(prompts.LANGUAGES)), now=now)
        for _ in range(40):
            for event in events:
                for say in [event, *getattr(event, "prompts", ())]:
                    if isinstance(say, Say):
                        heard.setdefault((say.key, say.language), set()).add(say.text)
            if state.done or state.at is None:
                break
            state, events = engine.resume(flow, state, an_input(rng, flow.nodes[state.at]), now=now)
    return heard


def test_calls_say_the_configured_hours_and_no_others():
    heard = heard_on_calls(SHORT)
    assert heard[("hours", "en")] == {
        "We are open Monday to Friday from 9 am to 5 pm, and closed at weekends and on bank holidays."}
    assert heard[("hours", "pl")] == {
        "Biuro jest czynne od poniedziałku do piątku od dziewiątej do siedemnastej, a w weekendy i brytyjskie "
        "święta państwowe jest nieczynne."}
    # the callback windows, as they fall inside the weekday hours
    assert heard[("cb_window", "en")] == {
        "When should we call? Any time we are open, press 1. Mornings, 9 am to 12 noon, press 2. "
        "Afternoons, 12 noon to 4 pm, press 3. Evenings, 4 pm to 5 pm on weekdays, press 4."}
    assert any(", wieczorem, od szesnastej do siedemnastej." in text for text in heard[("cb_read_back", "pl")])
    assert any(", in the morning, from 9 am to 12 noon." in text for text in heard[("cb_read_back", "en")])
    for (key, language), texts in heard.items():
        for text in texts:
            assert not any(t in text for t in DEFAULT_TIMES[language]), (key, text)


def test_the_callback_windows_follow_the_definition():
    assert set(CALLBACK_WINDOWS) == {"morning", "afternoon", "evening"}
    times = prompts.window_times(SHORT, "en")
    assert times == {"morning_from": "9 am", "morning_to": "12 noon", "afternoon_from": "12 noon",
                     "afternoon_to": "4 pm", "evening_from": "4 pm", "evening_to": "5 pm"}
    assert prompts.window_times(WeeklyHours(), "pl")["evening_to"] == "dwudziestej"


def test_every_text_message_states_the_configured_hours():
    for language, text_id in ((language, text_id) for language in sms_texts.LANGUAGES for text_id in sms_texts.TEXTS):
        body = sms_texts.render(text_id, weekly=SHORT, language=language, desk_number="020 7946 0000",
                                officer="PC 1", date="Mon 23 Nov", rating=4, first=4, attempted=2,
                                when="tomorrow at 09:00", reference="1/26", message="An update.",
                                link="https://desk.example.org/s/token", url="https://desk.example.org/leaflet")
        assert not re.search(r"08:00|20:00|16:00", body), (language, text_id)
    help_text = sms_texts.render("help", weekly=SHORT, desk_number="020 7946 0000")
    assert "Mon-Fri 09:00-17:00, Sat-Sun closed" in help_text
    differ = WeeklyHours(bank_holidays=None)
    assert sms_texts.opening_hours(differ) == "Mon-Fri 08:00-20:00, Sat-Sun 08:00-16:00, bank holidays closed"
