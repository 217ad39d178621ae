"""Queue webhooks for a call the line has never seen (a lost row, a replay, a forgery):
the wait music only ever holds, and a queue exit stores nothing."""
from __future__ import annotations

from sqlmodel import select

from emulator.signing import post_signed
from models.calls import Call, CallEvent
from models.db import session
from tests.support.numbers import VICTIM
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

UNKNOWN = "CA" + "7" * 32


def post(client, path, **extra):
    params = {"CallSid": UNKNOWN, "From": VICTIM, "To": "+442079460000", "Direction": "inbound", **extra}
    response = post_signed(client, PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def nothing_stored(app) -> bool:
    with app.app_context():
        return not session().exec(select(Call)).all() and not session().exec(select(CallEvent)).all()


def test_wait_music_for_an_unknown_call_only_holds(app, client):
    answer = post(client, "/ivr/queue/wait", QueuePosition="1", QueueTime="5", CurrentQueueSize="1")
    assert "<Play>" in answer
    for verb in ("<Gather", "<Say", "<Enqueue", "<Redirect", "<Dial", "<Hangup"):
        assert verb not in answer
    assert nothing_stored(app)


def test_a_key_in_the_wait_music_for_an_unknown_call_only_holds(app, client):
    answer = post(client, "/ivr/queue/key", Digits="2")
    assert "<Play>" in answer and "<Enqueue" not in answer and "<Gather" not in answer
    assert nothing_stored(app)


def test_a_queue_exit_for_an_unknown_call_stores_nothing_and_answers_safely(app, client):
    answer = post(client, "/ivr/queue/exit", QueueResult="hangup", QueueTime="30")
    assert "<Say" in answer and "<Enqueue" not in answer and "<Gather" not in answer
    assert nothing_stored(app)
