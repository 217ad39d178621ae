"""The victims' pages (the web survey, its thank-you page with the forum and "about
you" questions, a closed link, the leaflet) in Chromium: "Leave this page quickly"
takes the page it is on out of the Back button, and axe-core finds no serious or
critical problem on any of them, in English and Polish, at desktop and phone widths."""
from __future__ import annotations

import re

import pytest

from tests.console.browser_support import violations_at_two_widths
from tests.sms.test_web import path_of

pytestmark = pytest.mark.browser

WEATHER = "https://www.bbc.co.uk/weather"


def neutral_site(page) -> None:
    """The exit link's page, answered here: the tests never reach the internet."""
    page.context.route(re.compile(r"https://www\.bbc\.co\.uk/.*"), lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Weather"))


def test_leaving_quickly_takes_the_survey_out_of_the_back_button(page, engage):
    """Someone who takes the phone and presses Back sees what was open before the survey,
    not the survey (which names the police and the officer's visit)."""
    path = path_of(engage()["survey_link"])
    neutral_site(page)
    page.goto("about:blank")
    page.goto(path)
    page.get_by_role("link", name="Leave this page quickly").click()
    page.wait_for_url(WEATHER)
    page.go_back()
    page.wait_for_load_state()
    assert "/s/" not in page.url and page.url == "about:blank", page.url
    assert page.js_errors == []


def test_three_shift_presses_leave_too_but_typing_capitals_does_not(page, engage):
    path = path_of(engage()["survey_link"])
    neutral_site(page)
    page.goto("about:blank")
    page.goto(path)
    page.get_by_label("Anything you want to tell us?").click()
    for letter in "TOWK":  # capitals typed with Shift held: "The Officer Was Kind"
        page.keyboard.press(f"Shift+{letter}")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert "/s/" in page.url, "capitals and two presses leave nobody"
    page.keyboard.press("Shift")
    page.wait_for_url(WEATHER)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == "about:blank"
    assert page.js_errors == []


@pytest.mark.parametrize("language", ["en", "pl"])
def test_no_serious_or_critical_violations_on_the_victims_pages(page, engage, clock, language):
    created = engage(language=language)
    path = path_of(created["survey_link"])
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        violations_at_two_widths(page, name, problems)

    page.goto(path)
    check("survey")
    page.locator("button[name=rating][value='2']").click()
    page.locator("#forum-form").wait_for()
    check("thank-you page with the forum and about-you questions")
    page.goto("/s/not-a-token")
    check("link not recognised")
    page.goto(f"/leaflet?lang={language}")
    check("leaflet")
    clock.advance(days=8)
    page.goto(path)
    check("survey closed")
    assert problems == {}, "\n".join(f"{where}: {line}" for where, lines in problems.items() for line in lines)
    assert page.js_errors == []
