"""When the database or Redis is down the line still answers safely, and the static
document for Twilio's Fallback URL is generated, not typed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from ivr.fallback import STATIC_FILE, static_document
from emulator.signing import post_signed
from tests.support.golden import assert_golden
from tests.support.numbers import VICTIM
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

FALLBACK = "+442079460999"


@pytest.fixture
def database_down(app, tmp_path):
    """Every query fails as if the database server had gone away."""
    working = app.extensions["db_engine"]
    app.extensions["db_engine"] = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}")
    yield
    app.extensions["db_engine"] = working


@pytest.fixture
def redis_down(app, monkeypatch):
    import redis

    from desk import redis_conn

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr(redis_conn, "connect", lambda config: dead)
    monkeypatch.setattr("ivr.effects.connect", lambda config: dead)


def test_database_down_puts_the_caller_through_to_the_fallback_number(app, dial, database_down):
    app.config["FALLBACK_PHONE_NUMBER"] = FALLBACK
    call = dial(status_callbacks=False)
    assert call.waiting_for == "dial"
    call.dial_outcome("no-answer")
    assert_golden("fallback_database_down", call, "database down, FALLBACK_PHONE_NUMBER set, nobody answers")
    heard = call.heard()
    assert heard.index("999") < heard.index("putting you through")
    assert call.ended


def test_database_down_without_a_fallback_number_says_what_to_do(app, dial, database_down):
    app.config["FALLBACK_PHONE_NUMBER"] = None
    call = dial(status_callbacks=False)
    assert call.ended
    assert "999" in call.heard() and "call 101 and ask for the Victim Focus Desk" in call.heard()
    assert not any(line.startswith("DIAL") for line in call.transcript)


def test_fallback_conversation_then_just_ends(app, dial, database_down):
    app.config["FALLBACK_PHONE_NUMBER"] = FALLBACK
    call = dial(status_callbacks=False)
    call.dial_outcome("completed")
    assert call.ended and "call again later" not in call.heard()


def test_redis_down_during_a_case_lookup_falls_back_safely(app, dial, redis_down):
    app.config["FALLBACK_PHONE_NUMBER"] = None
    call = dial(from_=VICTIM)
    call.press("1")
    call.press("520123426#")  # the look-up's lockout counters need Redis
    assert call.ended
    assert "Sorry, our phone system is not working properly" in call.heard()


def test_database_down_while_queued_keeps_the_caller_on_hold(app, dial, tmp_path):
    call = dial()
    call.press("2")
    working = app.extensions["db_engine"]
    app.extensions["db_engine"] = create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}")
    try:
        call.wait_in_queue(polls=2, position=1, size=1)
    finally:
        app.extensions["db_engine"] = working
    assert call.waiting_for == "queue"
    assert "LEAVE" not in call.transcript and call.transcript[-1].startswith("PLAY")
    call.answered_by_agent()


def test_fallback_url_answers_with_the_same_document(app, client):
    app.config["FALLBACK_PHONE_NUMBER"] = None
    params = {"CallSid": "CA" + "f" * 32, "From": VICTIM, "ErrorCode": "11200"}
    response = post_signed(client, PUBLIC_BASE_URL, "/ivr/fallback", params, AUTH_TOKEN)
    assert response.status_code == 200
    assert response.get_data(as_text=True) + "\n" == STATIC_FILE.read_text(encoding="utf-8")


def test_static_fallback_file_is_generated_from_voice_response():
    assert STATIC_FILE.read_text(encoding="utf-8") == static_document(), \
        "ivr/static/fallback.xml is stale: run python -m ivr.fallback"
    assert "999" in static_document() and "<Hangup" in static_document()


def test_the_generator_script_writes_the_file(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    before = STATIC_FILE.read_bytes()
    result = subprocess.run([sys.executable, "-m", "ivr.fallback"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert STATIC_FILE.read_bytes() == before


def test_a_status_callback_with_the_database_down_is_refused_not_crashed(app, client, database_down):
    params = {"CallSid": "CA" + "e" * 32, "CallStatus": "completed", "From": VICTIM}
    response = post_signed(client, PUBLIC_BASE_URL, "/ivr/status", params, AUTH_TOKEN)
    assert response.status_code == 503  # shows in Twilio's debugger; nothing else to do
