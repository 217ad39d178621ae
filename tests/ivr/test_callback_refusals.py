"""A callback to a number a case says must not be rung is refused at booking, in the
same neutral words whoever asks: never which case, or why."""
from __future__ import annotations

import pytest
from sqlmodel import select

from models.callbacks import CallbackRequest
from models.cases import Case
from models.db import session
from tests.support.golden import assert_golden
from tests.support.numbers import STRANGER, VICTIM


@pytest.fixture
def unsafe_case(app):
    with app.app_context():
        db = session()
        db.add(Case(crime_reference="5201234/26", reference_digits="520123426", victim_phone=VICTIM,
                    safe_call_times=["09:00-17:00"], voicemail_allowed=True, safe_to_call=False))
        db.commit()


def booked(app) -> list[CallbackRequest]:
    with app.app_context():
        return session().exec(select(CallbackRequest)).all()


def test_a_typed_number_a_case_marks_not_safe_is_refused_in_neutral_words(app, dial, unsafe_case):
    call = dial(STRANGER)
    call.press("3")
    call.press("2")             # another number
    call.press("07911123456#")  # the victim's
    call.press("9")
    call.hang_up()
    assert_golden("callback_number_refused", call, "Monday 10:00, another phone; 3, types a number a case marks not safe")
    assert booked(app) == []
    assert "we cannot call that number back" in call.heard().lower()


def test_the_callers_own_number_is_refused_the_same_way(app, dial, unsafe_case):
    call = dial(VICTIM)
    call.press("3")
    call.press("1")             # this number
    assert "we cannot call that number back" in call.heard().lower()
    call.hang_up()
    assert booked(app) == []
