"""Closures the caller understands: a closed date with a reason says so ("closed
today for Christmas Day") instead of the weekly hours; an admin's announcement is
heard right after the safety notice until it expires."""
from __future__ import annotations

from datetime import datetime, timedelta

from desk.clock import LONDON
from models.db import session
from models.staff import HoursOverride
from services import announcements
from services.hours import forget_cached_overrides
from tests.support.golden import assert_golden

CHRISTMAS = datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)
SAFETY = "If you are in danger, hang up and call 999."
WEEKLY = "We are open Monday to Friday"


def closed_for(app, day: str, reason: str | None, reason_pl: str | None = None) -> None:
    with app.app_context():
        db = session()
        db.add(HoursOverride(day=day, hours="closed", reason=reason, reason_pl=reason_pl))
        db.commit()
        forget_cached_overrides()


def test_a_closure_with_a_reason_says_so_instead_of_the_weekly_hours(app, dial):
    closed_for(app, "2026-12-25", "Christmas Day")
    call = dial(at=CHRISTMAS)
    heard = call.heard()
    assert "The desk is closed today for Christmas Day." in heard and WEEKLY not in heard
    assert "We open again" in heard
    call.press("2")  # the desk: closed, and why
    assert call.heard().count("The desk is closed today for Christmas Day.") == 2
    call.hang_up()
    assert_golden("closed_for_christmas_day", call,
                  "Friday 25 December 2026 10:00, closed by the console with the reason 'Christmas Day'; press 2")


def test_a_polish_caller_hears_the_closure_reason_the_admin_wrote_in_polish(app, dial):
    closed_for(app, "2026-12-25", "Christmas Day", "Boże Narodzenie")
    call = dial(at=CHRISTMAS)
    assert "The desk is closed today for Christmas Day." in call.heard()
    before = len(call.said)
    call.press("8")
    in_polish = " ".join(s.text for s in call.said[before:])
    assert "Biuro jest dziś zamknięte z powodu: Boże Narodzenie." in in_polish
    assert "Christmas Day" not in in_polish
    call.hang_up()
    assert_golden("closed_for_christmas_day_in_polish", call,
                  "Friday 25 December 2026 10:00, closed by the console with the reasons 'Christmas Day' and "
                  "'Boże Narodzenie'; press 8")


def test_words_written_only_in_english_are_read_as_english_in_a_polish_call(app, dial):
    """A closure reason or an announcement with no Polish: the Polish voice reads the
    English as English (SSML <lang>), not as if it were Polish."""
    closed_for(app, "2026-12-25", "Christmas Day")
    with app.app_context():
        announcements.set_announcement(session(), "Our phone lines are busy after the storm.", None,
                                       CHRISTMAS + timedelta(hours=2), by="admin@example.org")
    call = dial(at=CHRISTMAS)
    call.press("8")
    call.heard()
    for words in ("Christmas Day", "Our phone lines are busy after the storm."):
        polish = [s for s in call.said if words in s.text and s.language == "pl-PL"]
        assert polish, [(s.language, s.text) for s in call.said]
        assert all(f'<lang xml:lang="en-GB">{words}</lang>' in s.ssml for s in polish), [s.ssml for s in polish]
    call.hang_up()


def test_a_closure_without_a_reason_reads_the_hours_as_before(app, dial):
    closed_for(app, "2026-12-25", None)
    call = dial(at=CHRISTMAS)
    assert "The desk is closed now." in call.heard() and WEEKLY in call.heard()
    call.hang_up()


def test_the_announcement_is_heard_after_the_safety_notice_until_it_expires(app, dial, clock):
    with app.app_context():
        announcements.set_announcement(session(), "Our phone lines are busy after the storm.",
                                       "Po burzy linie są bardzo obciążone.", clock.current + timedelta(hours=2),
                                       by="admin@example.org")
    call = dial()
    said = [s.text for s in call.said]
    at = said.index(next(s for s in said if s.startswith(SAFETY)))
    assert said[at + 1] == "Our phone lines are busy after the storm."
    call.press("8")
    assert "Po burzy linie są bardzo obciążone." in call.heard()  # in Polish, after the safety notice again
    call.hang_up()
    assert_golden("announcement", call, "Monday 10:00, an admin's announcement in force")
    clock.advance(hours=3)
    later = dial()
    assert "after the storm" not in later.heard()
    later.hang_up()


def test_an_announcement_is_set_and_cleared_with_a_flask_command(app, dial):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["announcement", "set", "The desk closes early today.", "--until", "2026-11-23 18:00"])
    assert result.exit_code == 0, result.output
    call = dial()
    assert "The desk closes early today." in call.heard()
    call.hang_up()
    result = runner.invoke(args=["announcement", "set", "Old news.", "--until", "2020-01-01 00:00"])
    assert result.exit_code != 0 and "in the past" in result.output
    assert runner.invoke(args=["announcement", "clear"]).exit_code == 0
    call = dial()
    assert "closes early" not in call.heard()
    call.hang_up()
