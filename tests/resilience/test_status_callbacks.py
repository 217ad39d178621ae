"""Status callbacks as Twilio really sends them at scale: each one may come twice and
in any order, interleaved across many messages and calls.  Every message and call
ends with one consistent record.  (The single-message and single-call cases are in
tests/test_outbox.py, tests/sms/test_outbound.py and tests/ivr/test_call_log.py.)"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from models.calls import Call
from models.db import session
from models.outbox import OutboundMessage, SmsRecipient
from emulator.signing import post_signed
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from services.outbox import queue_sms

PHONES = ["+447911123456", "+447911123457", "+447911123458"]


def post_all(client, path, callbacks):
    for params in callbacks:
        response = post_signed(client, PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
        assert response.status_code == 204, (path, params, response.status_code)


def test_sms_delivery_callbacks_twice_and_shuffled(app, client, fake_twilio, run_workers):
    with app.app_context():
        db = session()
        for i in range(30):
            queue_sms(db, to=PHONES[i % 3], body=f"Text {i}", purpose="test", key=str(i))
        db.commit()
    run_workers()
    sent = {m["body"]: m["sid"] for m in fake_twilio.messages}
    assert len(sent) == 30
    # what Twilio reports for each: delivered, undelivered (30003: unreachable), failed,
    # or undelivered because the handset's owner had replied STOP elsewhere (21610)
    ends = {"Text 0": ("undelivered", 30003), "Text 1": ("failed", 30008), "Text 2": ("undelivered", 21610)}
    callbacks = []
    for body, sid in sent.items():
        final, code = ends.get(body, ("delivered", None))
        for status, error in (("queued", None), ("sent", None), (final, code)):
            params = fake_twilio.deliver_status(sid, status, error_code=error)
            callbacks += [params, params]  # Twilio retries a callback it thinks failed
    random.Random(2026).shuffle(callbacks)
    post_all(client, "/sms/status", callbacks)

    with app.app_context():
        rows = {m.body: m for m in session().exec(select(OutboundMessage)).all()}
        opted_out = session().exec(select(SmsRecipient.phone).where(SmsRecipient.opted_out.is_(True))).all()
    assert len(rows) == 30
    assert [(rows[b].status, rows[b].twilio_status, rows[b].error_code) for b in ends] == [
        ("undelivered", "undelivered", 30003), ("failed", "failed", 30008), ("undelivered", "undelivered", 21610)]
    delivered = [m for b, m in rows.items() if b not in ends]
    assert {(m.status, m.twilio_status, m.error_code) for m in delivered} == {("delivered", "delivered", None)}
    assert all(m.delivered_at is not None for m in delivered)
    assert opted_out == [PHONES[2]], "a 21610 in a callback marks the number opted out"

    # a very late duplicate changes nothing, not even when it says when it arrived
    first_delivered_at = delivered[0].delivered_at
    post_all(client, "/sms/status", [fake_twilio.deliver_status(delivered[0].twilio_sid, "delivered")] * 2)
    with app.app_context():
        again = session().get(OutboundMessage, delivered[0].id)
    assert again.delivered_at == first_delivered_at


def test_call_status_callbacks_twice_and_shuffled_across_calls(app, client, fake_twilio, clock):
    journeys = {  # what each call went through, in Twilio's order
        "answered": ["ringing", "in-progress", "completed"],
        "busy": ["ringing", "busy"],
        "unanswered": ["ringing", "no-answer"],
        "failed": ["failed"],
    }
    calls, callbacks = {}, []
    for n in range(12):
        kind = list(journeys)[n % 4]
        call = fake_twilio.add_inbound_call(PHONES[n % 3], DESK_NUMBER, status="queued")
        calls[call.sid] = kind
        for status in journeys[kind]:
            params = fake_twilio.call_status_params(call.sid, status, duration=42 if status == "completed" else None)
            callbacks += [params, params]
    random.Random(999).shuffle(callbacks)
    post_all(client, "/ivr/status", callbacks)

    with app.app_context():
        rows = {c.call_sid: c for c in session().exec(select(Call)).all()}
    assert set(rows) == set(calls), "one row per call, none doubled"
    for sid, kind in calls.items():
        row = rows[sid]
        assert row.status == journeys[kind][-1], (kind, row.status)
        assert row.ended_at is not None and row.outcome == "ended_in_menu"
        assert row.caller in PHONES
        if kind == "answered":
            assert row.duration_seconds == 42


def test_call_status_callbacks_without_sequence_numbers_use_the_timestamp(app, client, fake_twilio, clock):
    """Some callbacks (older API versions, the Fallback) carry no SequenceNumber."""
    call = fake_twilio.add_inbound_call(PHONES[0], DESK_NUMBER, status="queued")
    ringing = fake_twilio.call_status_params(call.sid, "ringing")
    answered = fake_twilio.call_status_params(call.sid, "in-progress")
    for params in (ringing, answered):
        params.pop("SequenceNumber")
    answered["Timestamp"] = "Mon, 23 Nov 2026 10:00:05 +0000"
    ringing["Timestamp"] = "Mon, 23 Nov 2026 10:00:01 +0000"
    post_all(client, "/ivr/status", [answered, ringing, answered, ringing])
    with app.app_context():
        row = session().exec(select(Call).where(Call.call_sid == call.sid)).one()
    assert row.status == "in-progress" and row.ended_at is None


def test_sms_callbacks_for_one_message_arriving_at_once_leave_it_consistent(app, fake_twilio, run_workers):
    """Twilio does not wait for one callback before sending the next: "sent" and
    "delivered" (each maybe twice) can be handled by two web workers at the same time."""
    with app.app_context():
        db = session()
        for i in range(12):
            queue_sms(db, to=PHONES[i % 3], body=f"Text {i}", purpose="test", key=str(i))
        db.commit()
    run_workers()
    callbacks = []
    for message in fake_twilio.messages:
        sent = fake_twilio.deliver_status(message.sid, "sent")
        delivered = fake_twilio.deliver_status(message.sid, "delivered")
        callbacks += [delivered, sent, delivered, sent]
    random.Random(5).shuffle(callbacks)

    def deliver(params):
        response = post_signed(app.test_client(), PUBLIC_BASE_URL, "/sms/status", params, AUTH_TOKEN)
        return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(deliver, callbacks))
    assert set(codes) <= {204, 503}, codes  # 503: Twilio retries it
    with app.app_context():
        rows = session().exec(select(OutboundMessage)).all()
    assert {(m.status, m.twilio_status) for m in rows} == {("delivered", "delivered")}


def test_call_callbacks_for_one_call_arriving_at_once_end_it_once(app, client, fake_twilio, clock):
    """Callers hanging up while waiting: each call's ringing / in-progress / completed
    (each twice) handled by several web workers at once.  Every call ends completed,
    with one "abandoned" event, not one per copy of the callback."""
    from models.calls import CallEvent

    sids = []
    for n in range(8):
        call = fake_twilio.add_inbound_call(PHONES[n % 3], DESK_NUMBER, status="queued")
        sids.append(call.sid)
    with app.app_context():  # each caller is waiting in the queue (the phone line made the rows)
        db = session()
        for sid in sids:
            db.add(Call(call_sid=sid, caller=PHONES[0], started_at=clock.current, waiting_since=clock.current,
                        status="in-progress", status_rank=2))
        db.commit()
    callbacks = []
    for sid in sids:
        for status in ("ringing", "in-progress", "completed"):
            params = fake_twilio.call_status_params(sid, status, duration=30 if status == "completed" else None)
            callbacks += [params, params]
    random.Random(7).shuffle(callbacks)

    def deliver(params):
        return post_signed(app.test_client(), PUBLIC_BASE_URL, "/ivr/status", params, AUTH_TOKEN).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(deliver, callbacks))
    assert set(codes) <= {204, 503}, codes  # 503: Twilio retries it
    with app.app_context():
        rows = session().exec(select(Call)).all()
        events = session().exec(select(CallEvent.call_sid, CallEvent.event)).all()
    assert {(r.status, r.outcome, r.waiting_since) for r in rows} == {("completed", "abandoned", None)}
    assert sorted(events) == sorted((sid, "abandoned") for sid in sids)


def test_a_new_calls_first_webhooks_arriving_at_once_make_one_row_and_a_greeting(app, fake_twilio, clock):
    """Twilio may send a new call's "queued"/"ringing" callbacks while /ivr/voice is
    being answered: whichever commits second finds the row taken and runs again, so
    the caller hears the greeting (never the fallback) and the call has one row."""
    from emulator.signing import post_signed as post

    calls = [fake_twilio.add_inbound_call(PHONES[n % 3], DESK_NUMBER, status="ringing") for n in range(12)]
    requests = []
    for call in calls:
        voice = fake_twilio.call_status_params(call.sid, "ringing")
        requests += [("/ivr/voice", voice), ("/ivr/status", fake_twilio.call_status_params(call.sid, "queued")),
                     ("/ivr/status", fake_twilio.call_status_params(call.sid, "ringing"))]
    random.Random(11).shuffle(requests)

    def deliver(item):
        path, params = item
        response = post(app.test_client(), PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
        return path, response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(deliver, requests))
    greetings = [body for path, code, body in answers if path == "/ivr/voice" and code == 200]
    assert len(greetings) == len(calls)
    assert all("<Gather" in body and "<Dial" not in body for body in greetings), "a caller got the fallback"
    assert {code for path, code, _ in answers if path == "/ivr/status"} <= {204, 503}
    with app.app_context():
        sids = session().exec(select(Call.call_sid)).all()
    assert sorted(sids) == sorted(call.sid for call in calls)
