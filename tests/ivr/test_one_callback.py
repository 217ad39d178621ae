"""One callback per victim, and no dead ends in the callback questions: a second call
from a number with a callback waiting keeps, changes or cancels that one request;
"not safe" offers another number or a safer time; numbers abroad typed with 00."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from desk.clock import LONDON
from flows.phone import spoken_digits, typed_callback_number
from models.callbacks import OPEN_STATUSES, CallbackRequest
from models.db import session
from tests.support.golden import assert_golden
from tests.support.numbers import OTHER_PHONE, STRANGER, VICTIM

EVENING = datetime(2026, 11, 23, 21, 0, tzinfo=LONDON)  # Monday, closed
LATER = datetime(2026, 11, 23, 21, 5, tzinfo=LONDON)
POLISH_MOBILE = "+48601234567"


def callbacks(app) -> list[CallbackRequest]:
    with app.app_context():
        return session().exec(select(CallbackRequest).order_by(CallbackRequest.id)).all()


def book(dial, at=EVENING, from_=VICTIM):
    """3, this number, safe, voicemail yes, any time, confirm."""
    call = dial(from_, at=at)
    for key in "311111":
        call.press(key)
    assert call.ended and "We will call you back as soon as we can" in call.heard()
    return call


def test_a_second_call_hears_the_booked_callback_and_keeps_it(app, dial):
    book(dial)
    call = dial(at=LATER)
    call.press("3")
    call.press("1")  # this number: one is already booked
    call.press("1")  # keep it
    assert_golden("callback_second_call_keep", call, "Monday 21:05, a callback booked at 21:00; 3, this number, keep")
    [booked] = callbacks(app)
    assert booked.status == "pending" and booked.voicemail_allowed is True


def test_a_second_call_changes_the_one_request_and_keeps_its_place(app, dial):
    book(dial)
    [first] = callbacks(app)
    call = dial(at=LATER)
    call.press("3")
    call.press("1")  # this number
    call.press("2")  # change it
    call.press("1")  # safe
    call.press("2")  # no voicemail
    call.press("2")  # mornings
    call.press("1")  # confirm
    assert_golden("callback_second_call_change", call,
                  "Monday 21:05, a callback booked at 21:00; 3, this number, change to mornings, no voicemail")
    [booked] = callbacks(app)
    assert booked.id == first.id and booked.queue_joined_at == first.queue_joined_at
    assert (booked.window_start, booked.window_end, booked.voicemail_allowed) == ("08:00", "12:00", False)


def test_a_second_call_cancels_the_callback(app, dial):
    book(dial)
    call = dial(at=LATER)
    call.press("3")
    call.press("1")  # this number
    call.press("3")  # cancel it
    assert_golden("callback_second_call_cancel", call, "Monday 21:05, a callback booked at 21:00; 3, this number, cancel")
    [booked] = callbacks(app)
    assert booked.status == "cancelled" and booked.last_outcome
    book(dial, at=datetime(2026, 11, 23, 21, 10, tzinfo=LONDON))  # asking again books anew
    assert [c.status for c in callbacks(app)] == ["cancelled", "pending"]


def test_two_calls_from_one_number_ring_the_victim_once(app, dial):
    book(dial)
    call = dial(at=LATER)
    call.press("3")
    call.press("1")
    call.press("2")  # change: the questions again
    for key in "1111":
        call.press(key)
    book(dial, at=datetime(2026, 11, 23, 21, 10, tzinfo=LONDON), from_=STRANGER)  # someone else's own
    rows = callbacks(app)
    assert len([c for c in rows if c.phone == VICTIM and c.status in OPEN_STATUSES]) == 1
    assert len(rows) == 2


def test_a_typed_number_is_not_told_of_its_callback_but_books_no_second_one(app, dial):
    call = dial(VICTIM, at=EVENING)
    for key in "311211":  # no voicemail
        call.press(key)
    call = dial(STRANGER, at=LATER)
    call.press("3")
    call.press("2")             # another number
    call.press("07911123456#")  # the victim's
    assert "already" not in call.heard()
    for key in "1111":          # safe, voicemail yes, any time, confirm
        call.press(key)
    [booked] = callbacks(app)
    assert booked.phone == VICTIM and booked.voicemail_allowed is False  # a stranger cannot turn it on


# --- not safe: no dead end ---------------------------------------------------------------


def test_not_safe_offers_another_number(app, dial):
    call = dial()
    call.press("3")
    call.press("1")             # this number
    call.press("2")             # not safe
    call.press("1")             # another number
    call.press("07911123458#")
    call.press("1")             # safe
    call.press("2")             # no voicemail
    call.press("1")             # any time
    call.press("1")             # confirm
    assert_golden("callback_not_safe_other_number", call, "Monday 10:00; 3, this number, not safe, another number")
    [booked] = callbacks(app)
    assert booked.phone == OTHER_PHONE


def test_not_safe_offers_a_safer_time(app, dial):
    call = dial()
    call.press("3")
    call.press("1")  # this number
    call.press("2")  # not safe
    call.press("2")  # a different time
    call.press("3")  # afternoons
    call.press("1")  # confirm
    [booked] = callbacks(app)
    assert (booked.phone, booked.window_start, booked.voicemail_allowed) == (VICTIM, "12:00", False)
    assert "We will not leave a message" in call.heard()


# --- numbers abroad ----------------------------------------------------------------------


def test_a_number_abroad_typed_with_00_is_booked_and_read_back(app, dial):
    call = dial(from_="anonymous")
    call.press("3")
    call.press("0048601234567#")
    call.press("1")  # safe
    call.press("2")  # no voicemail
    call.press("1")  # any time
    call.press("1")  # confirm
    assert_golden("callback_number_abroad", call, "Monday 10:00, number withheld; 3, types 0048 601 234 567")
    [booked] = callbacks(app)
    assert booked.phone == POLISH_MOBILE


def test_a_polish_callers_own_number_is_read_back_with_its_country_code(app, dial):
    call = dial(POLISH_MOBILE)
    call.press("8")
    call.press("3")
    call.hang_up()
    assert_golden("polish_callback_own_number_abroad", call, "Monday 10:00, from +48 601 234 567; 8, then 3")
    assert "plus 4 8, 6 0 1, 2 3 4, 5 6 7" in call.heard()


@pytest.mark.parametrize(("typed", "expected"), [
    ("07911123458", OTHER_PHONE), ("00447911123458", OTHER_PHONE), ("0048601234567", POLISH_MOBILE),
    ("7911123458", None),        # UK numbers start with 0
    ("09098790000", None),       # premium rate
    ("0048", None), ("00999123456789", None), ("", None)])
def test_typed_callback_numbers(typed, expected):
    assert typed_callback_number(typed) == expected


def test_numbers_are_read_back_with_a_country_code_only_from_abroad():
    assert spoken_digits(VICTIM) == "0 7 9 1 1, 1 2 3, 4 5 6"
    assert spoken_digits(POLISH_MOBILE) == "plus 4 8, 6 0 1, 2 3 4, 5 6 7"
