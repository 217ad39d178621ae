"""The call log: status callbacks idempotent and order-proof, and GET /api/v1/calls."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlmodel import select

from desk.clock import LONDON
from models.calls import Call, CallEvent
from models.db import session
from emulator.signing import post_signed
from tests.support.numbers import STRANGER, VICTIM
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

SID = "CA" + "5" * 32


def post_status(client, status, *, sequence=None, at=None, duration=None, sid=SID):
    params = {"CallSid": sid, "CallStatus": status, "From": VICTIM, "To": "+442079460000",
              "Direction": "inbound"}
    if sequence is not None:
        params["SequenceNumber"] = sequence
    if at is not None:
        params["Timestamp"] = format_datetime(at)
    if duration is not None:
        params["CallDuration"] = duration
    response = post_signed(client, PUBLIC_BASE_URL, "/ivr/status", params, AUTH_TOKEN)
    assert response.status_code == 204
    return response


def the_call(app, sid=SID) -> Call:
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one()


def test_status_callbacks_out_of_order_never_move_a_call_backwards(app, client, clock):
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    post_status(client, "completed", sequence=3, at=t0 + timedelta(minutes=4), duration=240)
    post_status(client, "ringing", sequence=1, at=t0)              # late
    post_status(client, "in-progress", sequence=2, at=t0)          # late
    post_status(client, "completed", sequence=3, at=t0 + timedelta(minutes=4), duration=240)  # repeated
    call = the_call(app)
    assert call.status == "completed" and call.duration_seconds == 240
    assert call.ended_at == t0 + timedelta(minutes=4)
    assert call.caller == VICTIM and call.outcome == "ended_in_menu"


def test_status_callbacks_in_order_advance(app, client, clock):
    post_status(client, "ringing", sequence=0)
    assert the_call(app).status == "ringing"
    post_status(client, "in-progress", sequence=1)
    assert the_call(app).status == "in-progress"
    post_status(client, "no-answer", sequence=2)
    assert the_call(app).status == "no-answer"
    post_status(client, "completed", sequence=3)  # a different final status cannot replace it
    assert the_call(app).status == "no-answer"


def test_unknown_status_is_ignored(app, client, clock):
    post_status(client, "teleported")
    with app.app_context():
        assert session().exec(select(Call)).all() == []


def test_hanging_up_in_the_queue_is_abandoned_even_without_the_queue_result(app, client, dial):
    call = dial(status_callbacks=False)
    call.press("2")
    post_status(client, "completed", sid=call.call_sid, duration=60)
    row = the_call(app, call.call_sid)
    assert row.outcome == "abandoned" and row.waiting_since is None


def test_an_abandoned_wait_keeps_its_seconds_when_the_status_callback_comes_first(app, client, dial, clock):
    call = dial(status_callbacks=False)
    call.press("2")
    clock.advance(minutes=2)
    post_status(client, "completed", sid=call.call_sid, duration=150)  # before the queue exit
    call.hang_up()  # the Enqueue action: QueueResult=hangup, QueueTime=120
    with app.app_context():
        [event] = session().exec(select(CallEvent).where(CallEvent.call_sid == call.call_sid,
                                                         CallEvent.event == "abandoned")).all()
    assert event.wait_seconds == 120
    row = the_call(app, call.call_sid)
    assert row.outcome == "abandoned" and row.wait_seconds == 120


# --- the API ----------------------------------------------------------------------------


def make_calls(app, dial, clock):
    """Three calls on two days, with different outcomes."""
    first = dial(at=datetime(2026, 11, 23, 9, 0, tzinfo=LONDON))
    first.press("4")
    first.hang_up()
    second = dial(from_=STRANGER, at=datetime(2026, 11, 23, 12, 0, tzinfo=LONDON))
    second.press("3")
    second.press("1")
    second.press("2")  # not safe
    second.hang_up()
    third = dial(at=datetime(2026, 11, 24, 9, 30, tzinfo=LONDON))
    third.press("2")
    third.answered_by_agent()
    return first, second, third


def test_calls_api_lists_newest_first_with_queue_events(app, api, dial, clock):
    first, second, third = make_calls(app, dial, clock)
    body = api.get("/calls").json
    assert [c["call_sid"] for c in body["calls"]] == [third.call_sid, second.call_sid, first.call_sid]
    newest = body["calls"][0]
    assert newest["caller"] == VICTIM and newest["outcome"] == "connected"
    assert [e["event"] for e in newest["queue_events"]] == ["entered", "connected", "completed"]
    assert body["calls"][1]["caller"] == STRANGER and body["calls"][1]["outcome"] == "callback_unsafe"
    assert body["calls"][2]["outcome"] == "information" and body["calls"][2]["status"] == "completed"
    assert body["next_cursor"] is None


def test_calls_api_filters_by_day_and_outcome(app, api, dial, clock):
    first, second, third = make_calls(app, dial, clock)
    monday = api.get("/calls?from=2026-11-23&to=2026-11-23").json["calls"]
    assert [c["call_sid"] for c in monday] == [second.call_sid, first.call_sid]
    later = api.get("/calls?from=2026-11-23T11:00:00%2B00:00").json["calls"]
    assert [c["call_sid"] for c in later] == [third.call_sid, second.call_sid]
    unsafe = api.get("/calls?outcome=callback_unsafe").json["calls"]
    assert [c["call_sid"] for c in unsafe] == [second.call_sid]


def test_calls_api_pages_with_a_cursor(app, api, dial, clock):
    calls = make_calls(app, dial, clock)
    page1 = api.get("/calls?limit=2").json
    page2 = api.get(f"/calls?limit=2&cursor={page1['next_cursor']}").json
    assert [c["call_sid"] for c in page1["calls"] + page2["calls"]] == [c.call_sid for c in reversed(calls)]
    assert page2["next_cursor"] is None


@pytest.mark.parametrize("query, field", [
    ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("outcome=happy", "outcome"),
    ("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=nonsense", "cursor"), ("colour=blue", "colour"),
    ("from=2026-11-24&to=2026-11-23", "query"),
])
def test_calls_api_rejects_bad_filters_with_400(api, query, field):
    response = api.get(f"/calls?{query}")
    assert response.status_code == 400
    assert field in response.json["error"]


def test_calls_api_needs_a_token(client):
    assert client.get("/api/v1/calls").status_code == 401


def test_calls_api_is_documented(client):
    doc = client.get("/api/v1/openapi.json").json
    assert "get" in doc["paths"]["/calls"]


def test_a_webhook_without_a_call_sid_is_a_400(client):
    response = post_signed(client, PUBLIC_BASE_URL, "/ivr/voice", {"From": VICTIM}, AUTH_TOKEN)
    assert response.status_code == 400
