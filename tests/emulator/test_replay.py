"""A captured signed request sent again, as an attacker (or Twilio's retry) would: the
call log shows it acted once, and the answer is the first answer."""
from __future__ import annotations

from sqlmodel import select

from emulator.signing import post_signed
from models.callbacks import CallbackRequest
from models.db import session
from tests.fixtures.calls import dial  # noqa: F401
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL


def test_a_replayed_callback_confirmation_books_one_callback_and_answers_the_same(app, client, dial):  # noqa: F811
    call = dial()
    for keys in ("3", "1", "1", "1", "4"):  # callback, this number, safe, voicemail, evenings
        call.press(keys)
    call.press("1")  # confirm: books the callback
    confirm = [r for r in call.requests if "/ivr/step" in r.url][-1]
    assert confirm.url.startswith(PUBLIC_BASE_URL + "/ivr/step?step=")  # the token is in the signed URL
    replayed = post_signed(client, PUBLIC_BASE_URL, confirm.url, confirm.params, AUTH_TOKEN)
    assert replayed.status_code == 200
    assert replayed.get_data(as_text=True) == confirm.body
    with app.app_context():
        assert len(session().exec(select(CallbackRequest)).all()) == 1


def test_a_replayed_menu_choice_does_not_move_the_call(app, client, dial):  # noqa: F811
    call = dial()
    call.press("3")  # to the callback questions
    choice = call.requests[-1]
    call.press("1")  # this number: on to "is it safe to call?"
    replayed = post_signed(client, PUBLIC_BASE_URL, choice.url, choice.params, AUTH_TOKEN)
    assert replayed.get_data(as_text=True) == choice.body
    call.press("1")  # the caller carries on where they were: safe to call
    assert "may we leave a message" in call.heard().splitlines()[-1], call.heard()
