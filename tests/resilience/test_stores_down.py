"""The service started (or running) with its database and Redis unreachable —
connection refused, as when the servers are down — still answers every caller-facing
voice webhook with safe TwiML: the 999 notice and the fallback number, or hold music
for a caller already waiting in the queue.  (tests/ivr/test_fallback.py covers a
missing SQLite file mid-call and Redis failing during a case look-up.)"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from emulator.signing import post_signed
from tests.resilience.fleet import free_port
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

FALLBACK = "+442079460999"
CALLER = "+447911123456"
CALL_SID = "CA" + "d0" * 16


@pytest.fixture(params=["database", "redis", "both"])
def stores_down(request, instance_path, tmp_path):
    """A fresh app (as gunicorn would start it) whose database and/or Redis refuse connections."""
    from wsgi import create_app

    closed = free_port()  # nothing listens there
    overrides = {
        "TESTING": True, "INSTANCE_PATH": str(instance_path), "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
        "SECRET_KEY": "test-secret", "FALLBACK_PHONE_NUMBER": FALLBACK,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'stores-down.sqlite3'}",  # each test's call starts afresh
        "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
    }
    if request.param in ("database", "both"):
        overrides["DATABASE_URL"] = f"postgresql+psycopg://desk@127.0.0.1:{closed}/desk?connect_timeout=2"
    if request.param == "database":
        overrides["REDIS_URL"] = None  # the tests' embedded Redis, working
    if request.param == "redis":
        from models import migrate

        migrate.upgrade(overrides["DATABASE_URL"])
    client = create_app(overrides).test_client()
    client.database_down = request.param != "redis"
    return client


def post(client, path, **params):
    params = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, "From": CALLER, "To": DESK_NUMBER,
              "CallStatus": "in-progress", "Direction": "inbound", **params}
    response = post_signed(client, PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.get_data(as_text=True))


def said(root) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter("Say"))


def assert_safe_fallback(root) -> None:
    assert "999" in said(root), "the caller hears the emergency notice"
    dials = [el for el in root.iter("Dial")]
    assert dials and dials[0].text == FALLBACK, "and is put through to the fallback number"


def assert_answered(client, root) -> None:
    """Database down: the safe fallback.  Redis alone down: the menu runs (it needs the
    database, not Redis) or, where a step needs Redis, the safe fallback."""
    if client.database_down or root.find("Dial") is not None:
        assert_safe_fallback(root)
    else:
        assert root.find("Gather") is not None and said(root) or root.find("Enqueue") is not None, ET.tostring(root)


def test_a_new_call_hears_999_and_is_put_through(stores_down):
    assert_answered(stores_down, post(stores_down, "/ivr/voice", CallStatus="ringing"))


def test_menu_answers_are_answered_safely(stores_down):
    for digits in ("1", "2", "9", ""):
        assert_answered(stores_down, post(stores_down, "/ivr/step", Digits=digits))


def test_a_caller_waiting_in_the_queue_keeps_hearing_hold_music(stores_down):
    for path, params in (("/ivr/queue/wait", {"QueuePosition": "2", "QueueTime": "60", "AvgQueueTime": "90",
                                              "CurrentQueueSize": "3"}),
                         ("/ivr/queue/key", {"Digits": "1"})):
        root = post(stores_down, path, **params)
        kinds = [el.tag for el in root]
        assert "Hangup" not in kinds, (path, kinds)
        if stores_down.database_down:
            assert kinds == ["Play"], "stays in line for an agent, hearing hold music"
        else:  # the database works: held on, (1 pressed) out of the queue to the callback offer, or,
            # for a request without the call's step token, the current question asked again
            assert kinds[-1] in ("Play", "Leave") or "Say" in kinds or root.find("Gather") is not None and said(root), kinds


def test_leaving_the_queue_with_the_stores_down_still_reaches_a_person(stores_down):
    assert_answered(stores_down, post(stores_down, "/ivr/queue/exit", QueueResult="error", QueueTime="30"))


def test_a_degraded_hold_has_a_limit_then_the_caller_reaches_the_fallback_number(stores_down):
    if not stores_down.database_down:
        pytest.skip("the database works: the flow's own queue limits apply")
    wait = {"QueuePosition": "2", "AvgQueueTime": "90", "CurrentQueueSize": "3"}
    assert [el.tag for el in post(stores_down, "/ivr/queue/wait", QueueTime="299", **wait)] == ["Play"]
    root = post(stores_down, "/ivr/queue/wait", QueueTime="300", **wait)
    assert [el.tag for el in root] == ["Leave"], "out of the queue after IVR_DEGRADED_HOLD_SECONDS"
    # Twilio then requests the Enqueue action, which (the stores still down) puts them through
    assert_safe_fallback(post(stores_down, "/ivr/queue/exit", QueueResult="leave", QueueTime="300"))


def test_without_a_fallback_number_a_degraded_hold_ends_with_the_notice_and_the_helplines(
        instance_path, tmp_path):
    from wsgi import create_app

    closed = free_port()
    client = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance_path), "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
        "SECRET_KEY": "test-secret", "FALLBACK_PHONE_NUMBER": None, "IVR_DEGRADED_HOLD_SECONDS": 120,
        "DATABASE_URL": f"postgresql+psycopg://desk@127.0.0.1:{closed}/desk?connect_timeout=2",
        "REDIS_URL": None}).test_client()
    wait = {"QueuePosition": "2", "AvgQueueTime": "90", "CurrentQueueSize": "3"}
    assert [el.tag for el in post(client, "/ivr/queue/wait", QueueTime="119", **wait)] == ["Play"]
    root = post(client, "/ivr/queue/wait", QueueTime="121", **wait)
    heard = said(root)
    assert "999" in heard and "press 55" in heard, "the emergency notice"
    assert "0 8 0 8, 1 6 8, 9 1 1 1" in heard and "0 8 0 8, 2 0 0 0, 2 4 7" in heard, "the helplines"
    assert "call again" in heard.lower(), "how to call again"
    assert [el.tag for el in root][-1] == "Hangup"


# The web survey and the links in texts and emails: a victim who opens one while the
# database is away gets a page that says to try again, with 999 and the desk's number.
@pytest.mark.parametrize("stores_down", ["database", "both"], indirect=True)
def test_a_victims_page_with_the_database_down_says_to_try_again(stores_down):
    from services.forum import withdraw_url
    from services.survey_links import make_token

    app = stores_down.application
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in service: the error reaches the page, not the test
    with app.app_context():
        survey = f"/s/{make_token(1, datetime.now(UTC) + timedelta(days=7))}"
        withdraw = withdraw_url(1).removeprefix(PUBLIC_BASE_URL)
    for answer in (stores_down.get(survey), stores_down.post(survey, data={"rating": "5", "nonce": "n"}),
                   stores_down.get(withdraw), stores_down.post(withdraw)):
        text = answer.get_data(as_text=True)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "300", (answer.status_code, text[:300])
        assert "Sorry, this page cannot be shown just now" in text and "may not have been saved" in text
        assert "<strong>999</strong>" in text and 'href="tel:' in text, "999 and the desk's number"
    polish = stores_down.get(survey, headers={"Accept-Language": "pl-PL,pl"})
    assert polish.status_code == 503
    assert "Przepraszamy, nie możemy teraz wyświetlić tej strony" in polish.get_data(as_text=True)
