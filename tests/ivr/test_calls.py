"""Whole calls through the emulator (signatures on), compared with golden transcripts,
plus what each call leaves in the call log and the callback list."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from desk.clock import LONDON
from flows import prompts
from models.calls import Call, CallEvent
from models.callbacks import CallbackRequest
from models.cases import Case, CaseUpdate
from models.db import session
from tests.support.golden import assert_golden
from tests.support.numbers import OTHER_PHONE, STRANGER, VICTIM

REFERENCE = "5201234/26"
REFERENCE_KEYS = "520123426#"
# A full-update case without a PIN (the ``case`` fixture) gets the minimal update on
# the phone; the PIN's own calls are in test_phone_identity.py.
MINIMAL_UPDATE = "There is an update from 20th November. Someone at the desk can talk you through it."


def call_row(app, sid: str) -> Call:
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one()


def queue_events(app, sid: str) -> list[str]:
    with app.app_context():
        rows = session().exec(select(CallEvent).where(CallEvent.call_sid == sid)
                              .order_by(CallEvent.at, CallEvent.id)).all()
        return [r.event for r in rows]


def callbacks(app) -> list[CallbackRequest]:
    with app.app_context():
        return session().exec(select(CallbackRequest).order_by(CallbackRequest.id)).all()


@pytest.fixture
def case(app):
    """A full-update case registered to VICTIM, with no PIN set, and one update written
    on a fixed date."""
    with app.app_context():
        db = session()
        row = Case(crime_reference=REFERENCE, reference_digits="520123426", victim_phone=VICTIM,
                   status="under investigation", update_detail="full", sms_allowed=True)
        db.add(row)
        db.flush()
        db.add(CaseUpdate(case_id=row.id, message="A suspect has been interviewed and released on bail.",
                          created_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC)))
        db.commit()
        return row.id


# --- open and closed -------------------------------------------------------------------


def test_open_desk_queue_then_an_agent_answers(app, dial):
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=1)
    call.answered_by_agent()
    assert call.ended
    assert_golden("open_desk_connected", call, "Monday 23 November 2026 10:00, desk open; press 2, an agent answers")
    row = call_row(app, call.call_sid)
    assert row.caller == VICTIM and row.outcome == "connected" and row.status == "completed"
    assert queue_events(app, call.call_sid) == ["entered", "position_announced", "connected", "completed"]
    assert row.waiting_since is None and row.path[:5] == ["greeting", "announcement_check", "opening_check", "open_intro", "main_menu"]


def test_closed_evening_offers_callback_and_leaflet(app, dial, clock):
    call = dial(at=datetime(2026, 11, 23, 21, 0, tzinfo=LONDON))
    heard_first = call.heard()
    call.press("2")  # the desk: closed, so a callback is offered
    call.press("1")  # yes please
    call.press("1")  # this number
    call.press("1")  # safe
    call.press("2")  # no voicemail
    call.press("1")  # any time
    call.press("1")  # confirm
    assert_golden("closed_evening_callback", call, "Monday 23 November 2026 21:00, closed; 2, then a callback")
    assert heard_first.index("999") < heard_first.index("closed")  # safety before anything else
    assert "We open again tomorrow at 8 am." in heard_first
    [booked] = callbacks(app)
    assert (booked.phone, booked.safe_to_call, booked.voicemail_allowed) == (VICTIM, True, False)
    assert booked.window_start is None and booked.status == "pending"
    assert booked.queue_joined_at == booked.requested_at  # never queued: ordered by request time


def test_closed_menu_offers_the_24_hour_helplines_on_a_key_of_their_own(app, dial):
    call = dial(at=datetime(2026, 11, 23, 21, 0, tzinfo=LONDON))
    assert "For helplines open 24 hours a day, press 7." in call.heard()
    call.press("7")
    heard = call.heard()
    assert "0 8 0 8, 1 6 8, 9 1 1 1" in heard and "0 8 0 8, 2 0 0 0, 2 4 7" in heard
    assert prompts.text("rights", "en") not in heard  # not behind the rights message
    assert call.waiting_for == "gather" and "For helplines open 24 hours a day, press 7." in heard  # the menu again
    call.hang_up()
    assert_golden("closed_helplines", call, "Monday 23 November 2026 21:00, closed; 7 for the 24-hour helplines")


def test_out_of_hours_leaflet_by_text(app, dial):
    call = dial(at=datetime(2026, 11, 28, 17, 30, tzinfo=LONDON))  # Saturday after 16:00
    call.press("4")
    call.silence()  # the rights and support, heard to the end
    call.press("1")
    call.hang_up()
    assert_golden("closed_leaflet_sms", call, "Saturday 28 November 2026 17:30, closed; 4 then 1 for the leaflet")
    from models.outbox import OutboundMessage

    with app.app_context():
        [sms] = session().exec(select(OutboundMessage)).all()
        assert (sms.purpose, sms.dedupe_key, sms.to_number) == ("leaflet", call.call_sid, VICTIM)
        # the service's own page, with its quick-exit button; nothing on the lock screen
        # says police, crime or victim
        assert sms.body.startswith("Message from the desk you contacted:")
        assert app.config["PUBLIC_BASE_URL"] + "/leaflet" in sms.body and "999" in sms.body
        assert not any(word in sms.body.lower() for word in ("victim", "crime", "police", "gov.uk"))


def test_a_polish_caller_is_texted_the_polish_leaflet(app, dial, client):
    call = dial(at=datetime(2026, 11, 28, 17, 30, tzinfo=LONDON))  # Saturday after 16:00
    call.press("8")  # Polish
    call.press("4")
    call.silence()
    call.press("1")
    call.hang_up()
    from models.outbox import OutboundMessage

    with app.app_context():
        [sms] = session().exec(select(OutboundMessage)).all()
    link = app.config["PUBLIC_BASE_URL"] + "/leaflet?lang=pl"
    assert sms.purpose == "leaflet" and link in sms.body and "999" in sms.body
    page = client.get("/leaflet?lang=pl")
    assert '<html lang="pl">' in page.get_data(as_text=True) and "Prawa ofiar" in page.get_data(as_text=True)


def test_leaflet_is_not_texted_to_a_withheld_number(app, dial):
    call = dial(from_="anonymous")
    call.press("4")
    call.silence()  # the rights and support, heard to the end
    call.press("1")
    assert "your number is withheld or is not a mobile" in call.heard()
    call.hang_up()


@pytest.mark.parametrize("name, at, expect_open", [
    ("dst_spring_before_opening", datetime(2026, 3, 29, 6, 59, tzinfo=UTC), False),   # 07:59 BST
    ("dst_spring_at_opening", datetime(2026, 3, 29, 7, 0, tzinfo=UTC), True),         # 08:00 BST
    ("dst_spring_at_closing", datetime(2026, 3, 29, 15, 0, tzinfo=UTC), False),       # 16:00 BST
    ("dst_autumn_before_opening", datetime(2026, 10, 25, 7, 59, tzinfo=UTC), False),  # 07:59 GMT
    ("dst_autumn_at_opening", datetime(2026, 10, 25, 8, 0, tzinfo=UTC), True),        # 08:00 GMT
    ("dst_autumn_at_closing", datetime(2026, 10, 25, 16, 0, tzinfo=UTC), False),      # 16:00 GMT
    ("bank_holiday_christmas", datetime(2026, 12, 25, 16, 30, tzinfo=UTC), False),    # Friday, holiday hours
    ("substitute_day_open", datetime(2027, 12, 28, 15, 59, tzinfo=UTC), True),        # Tue 28 Dec 2027
    ("substitute_day_closed", datetime(2027, 12, 28, 16, 0, tzinfo=UTC), False),
])
def test_hours_on_special_days(app, dial, name, at, expect_open):
    call = dial(at=at)
    call.hang_up()
    assert_golden(name, call, f"{at.astimezone(LONDON):%A %d %B %Y %H:%M %Z} London")
    assert ("To speak to someone, press 2." in call.heard()) is expect_open
    assert ("The desk is closed now." in call.heard()) is not expect_open


def test_configured_closure_day(app, dial):
    app.config["IVR_HOURS_OVERRIDES"] = {"2026-11-23": "closed"}
    call = dial()
    assert "The desk is closed now." in call.heard()
    assert "We open again tomorrow at 8 am." in call.heard()
    call.hang_up()


# --- wrong keys and silence ------------------------------------------------------------


def test_wrong_key_apologises_then_three_strikes_reach_a_person(app, dial):
    call = dial()
    call.press("7")
    call.press("5")
    call.press("0")
    assert call.waiting_for == "queue"
    call.hang_up()
    assert_golden("wrong_keys", call, "Monday 10:00; 7, 5, 0 then hangs up in the queue")
    assert call.heard().count("Sorry, that is not one of the options.") == 2
    row = call_row(app, call.call_sid)
    assert row.outcome == "abandoned"
    assert queue_events(app, call.call_sid)[-1] == "abandoned"


def test_silence_when_open_goes_to_the_desk(app, dial):
    """A caller who says and presses nothing may be unable to speak: after the menu,
    straight to the queue."""
    call = dial()
    call.silence()
    assert call.waiting_for == "queue"
    call.hang_up()
    assert_golden("silence_open", call, "Monday 10:00; says nothing")


def test_silence_when_closed_offers_a_callback_then_says_goodbye(app, dial):
    call = dial(at=datetime(2026, 11, 23, 20, 0, tzinfo=LONDON))
    call.finish()
    assert_golden("silence_closed", call, "Monday 20:00 (just closed); says nothing at all")
    assert call.status == "completed"
    assert call_row(app, call.call_sid).outcome == "ended_in_menu"
    assert callbacks(app) == []


# --- the queue ---------------------------------------------------------------------------


def _waiting(app, sid: str, joined: datetime) -> None:
    """Another caller in the queue, as the router sees it."""
    with app.app_context():
        db = session()
        db.add(Call(call_sid=sid, caller=STRANGER, started_at=joined, queue_joined_at=joined, waiting_since=joined))
        db.commit()


def _answered(app, sid: str) -> None:
    with app.app_context():
        db = session()
        row = db.exec(select(Call).where(Call.call_sid == sid)).one()
        row.waiting_since = None
        db.add(row)
        db.commit()


def test_queue_position_then_callback_keeps_place(app, dial, clock):
    _waiting(app, "CAfirst", clock.current - timedelta(minutes=6))
    _waiting(app, "CAsecond", clock.current - timedelta(minutes=3))
    call = dial()
    call.press("2")
    joined = clock.current
    call.wait_in_queue(polls=1, position=3, size=3)
    clock.advance(minutes=2)
    call.wait_in_queue(polls=1, position=3, size=3)   # same place: not repeated
    clock.advance(minutes=2)
    _answered(app, "CAfirst")
    call.wait_in_queue(polls=1, position=2, size=3)  # moved up: announced
    clock.advance(minutes=1)
    call.press("1")  # be called back instead
    call.press("2")  # a different number
    call.press("07911 123458#".replace(" ", ""))
    call.press("1")  # safe
    call.press("1")  # voicemail allowed
    call.press("4")  # evenings
    call.press("1")  # confirm
    assert_golden("queue_position_callback", call, "Monday 10:00; 2, waits, presses 1 for a callback")
    [booked] = callbacks(app)
    assert booked.phone == OTHER_PHONE and booked.voicemail_allowed is True
    assert (booked.window_start, booked.window_end) == ("16:00", "20:00")
    assert booked.queue_joined_at == joined  # the original place in the queue
    assert booked.requested_at == joined + timedelta(minutes=5)
    assert queue_events(app, call.call_sid) == ["entered", "position_announced", "position_announced",
                                                "exit_with_key"]
    assert call_row(app, call.call_sid).outcome == "callback_requested"


def test_long_wait_leads_to_a_callback_offer(app, dial, clock):
    app.config["IVR_QUEUE_MAX_WAIT_SECONDS"] = 600
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=1, size=1)
    clock.advance(minutes=11)
    call.wait_in_queue(polls=1, position=1, size=1)
    assert call.waiting_for == "gather"
    call.press("9")
    call.hang_up()
    assert_golden("queue_timeout", call, "Monday 10:00; waits 11 minutes (maximum 10)")
    assert "timed_out" in queue_events(app, call.call_sid)


def test_full_queue_leads_to_a_callback_offer(app, dial):
    app.config["IVR_QUEUE_MAX_SIZE"] = 2
    call = dial()
    call.press("2")
    call.wait_in_queue(polls=1, position=3, size=3)
    call.silence()
    call.silence()
    assert_golden("queue_full", call, "Monday 10:00; the queue already holds 2 callers (maximum 2)")
    assert call.ended and "queue_full" in queue_events(app, call.call_sid)


def test_joining_the_queue_requests_routing(app, dial, monkeypatch):
    asked = []
    import services.routing

    monkeypatch.setattr(services.routing, "request_routing", asked.append)
    call = dial()
    call.press("2")
    assert asked == [call.call_sid]
    call.hang_up()


def test_a_repeated_menu_answer_from_a_caller_in_the_queue_puts_them_back_in_line(app, client, dial):
    """Twilio retries a Gather's action when our first answer was slow: the retry finds
    the caller already in the queue, and must not leave them with a sentence and a
    dead line."""
    import xml.etree.ElementTree as ET

    from emulator.signing import post_signed
    from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

    call = dial()
    call.press("2")
    assert call.waiting_for == "queue"
    for digits in ("2", "9"):
        retry = post_signed(client, PUBLIC_BASE_URL, "/ivr/step",
                            {"CallSid": call.call_sid, "AccountSid": ACCOUNT_SID, "From": VICTIM, "To": DESK_NUMBER,
                             "CallStatus": "in-progress", "Direction": "inbound", "Digits": digits}, AUTH_TOKEN)
        verbs = [el.tag for el in ET.fromstring(retry.get_data(as_text=True))]
        assert retry.status_code == 200 and verbs[-1] == "Enqueue", (digits, verbs)
    call.hang_up()


# --- callbacks -----------------------------------------------------------------------------


def test_not_safe_to_call_books_nothing_and_says_how_to_reach_us(app, dial):
    call = dial()
    call.press("3")
    call.press("1")  # this number
    call.press("2")  # NOT safe: another number or a safer time is offered
    call.silence()
    call.silence()   # nothing chosen: told how to reach us
    call.press("9")
    call.hang_up()
    assert_golden("callback_not_safe", call, "Monday 10:00; 3, this number, not safe to call, then silence")
    assert callbacks(app) == []
    assert call_row(app, call.call_sid).outcome == "callback_unsafe"


def test_withheld_number_types_a_number_and_bad_numbers_are_refused(app, dial):
    call = dial(from_="anonymous")
    call.press("3")
    call.press("12345#")
    call.say("oh seven nine one one one two three four five eight")
    call.press("1")
    call.press("2")
    call.press("2")
    call.press("1")
    assert_golden("callback_withheld_number", call, "Monday 10:00, number withheld; 3, types then says a number")
    [booked] = callbacks(app)
    assert booked.phone == OTHER_PHONE and (booked.window_start, booked.window_end) == ("08:00", "12:00")
    assert call_row(app, call.call_sid).caller is None


def test_polish_caller_books_a_callback_in_polish(app, dial):
    call = dial()
    call.press("8")
    call.say("oddzwonienie")
    call.say("tak")
    call.say("tak")
    call.say("nie")
    call.say("rano")
    call.say("potwierdzam")
    assert_golden("polish_callback", call, "Monday 10:00; 8 for Polish, then a callback by speech")
    [booked] = callbacks(app)
    assert booked.language == "pl" and booked.voicemail_allowed is False
    assert call_row(app, call.call_sid).language == "pl"


# --- case updates --------------------------------------------------------------------------


def test_verified_case_update(app, dial, case):
    call = dial()
    call.press("1")
    call.press(REFERENCE_KEYS)
    call.press("9")
    call.hang_up()
    assert_golden("case_update_verified", call, "Monday 10:00, from the phone registered on the case")
    # caller ID and the reference alone: no full update without the case's PIN
    assert MINIMAL_UPDATE in call.heard() and "A suspect has been interviewed" not in call.heard()
    assert call_row(app, call.call_sid).verified_case_id == case


def test_unverified_case_update_reveals_nothing(app, dial, case, clock):
    unregistered = dial(from_=STRANGER)
    unregistered.press("1")
    unregistered.press(REFERENCE_KEYS)
    unregistered.press("2")  # offered the desk
    unregistered.hang_up()
    assert_golden("case_update_unverified", unregistered, "Monday 10:00, a number not registered on the case")
    heard = unregistered.heard()
    assert "under investigation" not in heard and "suspect" not in heard.lower()
    # an unknown reference sounds exactly the same: nobody learns whether a case exists
    unknown = dial(from_=OTHER_PHONE)
    unknown.press("1")
    unknown.press("999999999#")
    unknown.press("2")
    unknown.hang_up()
    assert unknown.said == unregistered.said
    assert call_row(app, unregistered.call_sid).verified_case_id is None


def test_three_failures_then_lockout_for_the_day(app, dial, case, clock, caplog):
    app.config["IVR_CASE_LOCKOUT_FAILURES"] = 4
    first = dial()
    first.press("1")
    for _ in range(3):
        first.press("111111#")
        if first.waiting_for == "gather" and "To try again, press 1." in (first.last_said() or ""):
            first.press("1")
    first.press("9")
    first.press("1")  # the case path is over for this call
    first.hang_up()
    clock.advance(minutes=5)
    second = dial()
    second.press("1")
    second.press("111111#")  # fourth failure today
    second.press("1")  # try again
    second.press("111111#")  # locked out now for references that are not this number's
    second.press("9")
    second.press("1")  # and from the menu: its own case's reference still works
    second.press(REFERENCE_KEYS)
    second.hang_up()
    clock.current = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
    next_day = dial()
    next_day.press("1")
    next_day.press(REFERENCE_KEYS)
    next_day.hang_up()
    assert_golden("case_update_lockout", [("first call: three wrong references", first),
                                          ("second call, same day: locked out", second),
                                          ("next day: unlocked", next_day)],
                  "Monday 10:00, registered phone, lockout after 4 failures a day")
    assert "not available from this phone today" in second.heard()
    assert second.heard().count("Please type your crime reference number") == 3
    assert MINIMAL_UPDATE in second.heard() and MINIMAL_UPDATE in next_day.heard()
    assert call_row(app, second.call_sid).outcome == "case_update"
    assert "case_locked" in call_row(app, second.call_sid).path
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "111111" not in logged and "520123426" not in logged and VICTIM not in logged


def test_lockout_is_per_number(app, dial, case):
    app.config["IVR_CASE_LOCKOUT_FAILURES"] = 1
    stranger = dial(from_=STRANGER)
    stranger.press("1")
    stranger.press("111#")
    stranger.press("1")
    stranger.press("111#")
    assert "not available from this phone today" in stranger.heard()
    stranger.hang_up()
    victim = dial()
    victim.press("1")
    victim.press(REFERENCE_KEYS)
    assert MINIMAL_UPDATE in victim.heard()
    victim.hang_up()


def test_spoken_reference_works_like_typed(app, dial, case):
    call = dial()
    call.say("case update")
    call.say("five two oh one two three four slash two six")
    assert MINIMAL_UPDATE in call.heard()
    call.hang_up()


def test_leaflet_is_not_texted_where_texts_are_unsafe(app, dial, case):
    with app.app_context():
        db = session()
        row = db.get(Case, case)
        row.sms_allowed = False
        db.add(row)
        db.commit()
    call = dial()
    call.press("4")
    call.silence()  # the rights and support, heard to the end
    call.press("1")
    assert "Sorry, we cannot send a text to this number now." in call.heard()
    assert "We have sent the text" not in call.heard()
    call.hang_up()


def test_booking_a_callback_asks_the_workers_to_schedule_it(app, dial, monkeypatch):
    import services.routing

    asked = []
    monkeypatch.setattr(services.routing, "schedule_callbacks", lambda: asked.append(True))
    call = dial()
    for key in "311121":
        call.press(key)
    assert call.ended and asked == [True] and len(callbacks(app)) == 1
