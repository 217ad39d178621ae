"""Replayed voice webhooks: Twilio signs the URL and the form, so a captured request
stays valid.  Each action URL carries a one-time step token; a repeat is answered as
the first time without acting again, a stale or forged token hears the current
question and changes nothing."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlmodel import select

from desk.redis_conn import connect

from emulator.signing import post_signed
from models.calls import Call, CallEvent
from models.db import session
from tests.support.numbers import VICTIM
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from tests.support.staffing import someone_on_duty

SID = "CA" + "7" * 32


def form(**extra) -> dict:
    return {"CallSid": SID, "AccountSid": ACCOUNT_SID, "From": VICTIM, "To": DESK_NUMBER,
            "CallStatus": "in-progress", "Direction": "inbound", **extra}


def rows(app, model, **where) -> list:
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session().exec(query).all()


def call_state(app) -> dict:
    [call] = rows(app, Call, call_sid=SID)
    return {"state": call.state, "path": list(call.path), "outcome": call.outcome}


def test_the_same_new_call_three_times_makes_one_row_and_one_answer(app, client):
    greeting = post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", form(), AUTH_TOKEN).get_data(as_text=True)
    post_signed(client, PUBLIC_BASE_URL, _step_url(greeting), form(Digits="3"), AUTH_TOKEN)  # the caller moves on
    moved_on = call_state(app)
    answers = [post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", form(), AUTH_TOKEN) for _ in range(2)]
    assert [a.get_data(as_text=True) for a in answers] == [greeting, greeting]
    assert len(rows(app, Call, call_sid=SID)) == 1
    assert call_state(app) == moved_on  # not started again


def test_a_repeat_is_answered_with_the_first_answer(app, client):
    greeting = post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", form(), AUTH_TOKEN).get_data(as_text=True)
    action = _step_url(greeting)
    first = post_signed(client, PUBLIC_BASE_URL, action, form(Digits="3"), AUTH_TOKEN).get_data(as_text=True)
    after_first = call_state(app)
    second = post_signed(client, PUBLIC_BASE_URL, action, form(Digits="3"), AUTH_TOKEN).get_data(as_text=True)
    assert second == first
    assert call_state(app) == after_first


def test_a_stale_or_forged_token_hears_the_current_question_and_changes_nothing(app, client):
    greeting = post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", form(), AUTH_TOKEN).get_data(as_text=True)
    first_action = _step_url(greeting)
    menu = post_signed(client, PUBLIC_BASE_URL, first_action, form(Digits="3"), AUTH_TOKEN).get_data(as_text=True)
    current = _step_url(menu)
    assert current != first_action
    settled = call_state(app)
    for url in ("/ivr/step?step=forged", "/ivr/step"):
        answer = post_signed(client, PUBLIC_BASE_URL, url, form(Digits="1"), AUTH_TOKEN)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "<Gather" in text, (url, text)
        assert _step_url(text) == current  # the current question, with the current token
        assert call_state(app) == settled
    # a token that was current once but has been used, after the answer is forgotten
    _forget_answers(app)
    stale = post_signed(client, PUBLIC_BASE_URL, first_action, form(Digits="2"), AUTH_TOKEN).get_data(as_text=True)
    assert _step_url(stale) == current and call_state(app) == settled
    # and the current token still works once
    post_signed(client, PUBLIC_BASE_URL, current, form(Digits="1"), AUTH_TOKEN)
    assert call_state(app) != settled


def test_a_replayed_queue_exit_records_the_end_once(app, client, clock):  # desk hours, whatever the real time
    someone_on_duty(app)
    greeting = post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", form(), AUTH_TOKEN).get_data(as_text=True)
    queued = post_signed(client, PUBLIC_BASE_URL, _step_url(greeting), form(Digits="2"), AUTH_TOKEN)
    exit_url = _attribute(queued.get_data(as_text=True), "Enqueue", "action")
    assert "step=" in exit_url and "step=" in _attribute(queued.get_data(as_text=True), "Enqueue", "waitUrl")
    answers = [post_signed(client, PUBLIC_BASE_URL, exit_url, form(QueueResult="hangup", QueueTime="30"),
                           AUTH_TOKEN).get_data(as_text=True) for _ in range(2)]
    assert answers[0] == answers[1]
    assert [e.event for e in rows(app, CallEvent, call_sid=SID)].count("abandoned") == 1


def _forget_answers(app) -> None:
    redis = connect(app.config)
    for key in redis.scan_iter(f"ivr:answer:{SID}:*"):
        redis.delete(key)


def _attribute(twiml: str, tag: str, name: str) -> str:
    element = ET.fromstring(twiml).find(f".//{tag}")
    assert element is not None, twiml
    return element.get(name)


def _step_url(twiml: str) -> str:
    return _attribute(twiml, "Gather", "action")
