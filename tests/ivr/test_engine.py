"""Stepping the flow as pure functions: new state and events, inputs untouched, loops
capped, silence explicit."""
import copy
from dataclasses import replace
from datetime import datetime

import pytest

from flows import engine, prompts
from flows.call_flow import NODES, call_flow
from flows.hours import LONDON
from flows.model import (Answer, CallbackRecord, Digits, Enqueue, Gather, Hangup, Leave, Message,
                         Query, QueueEvent, QueueResult, QueueWait, Redirect, RequestRouting, Say,
                         Settings, Silence, Speech, Trigger)

OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
CLOSED = datetime(2026, 11, 23, 21, 0, tzinfo=LONDON)
VICTIM = "+447911123456"


def said(events):
    return [e.key for e in events if isinstance(e, Say)] + [
        p.key for e in events if isinstance(e, Gather) for p in e.prompts if isinstance(p, Say)]


def play(flow, inputs, now=OPEN, caller=VICTIM, staffing="staffed"):
    """Run INPUTS; the staffing check before the queue is answered with STAFFING."""
    state, events = engine.start(flow, Trigger("CA1", caller), now=now)
    for item in inputs:
        state, events = engine.resume(flow, state, item, now=now)
        if events and isinstance(events[-1], Query) and events[-1].name == "staffing":
            state, events = engine.resume(flow, state, Answer("staffing", staffing), now=now)
    return state, events


def test_greeting_puts_safety_first_then_the_other_language_then_the_main_menu():
    # All inside the first Gather: a key pressed during the greeting counts.
    state, events = engine.start(call_flow(), Trigger("CA1", VICTIM), now=OPEN)
    assert not [e for e in events if isinstance(e, Say)]
    gather = next(e for e in events if isinstance(e, Gather))
    assert gather.node == "main_menu"
    assert [p.key for p in gather.prompts] == ["greeting", "safety", "menu_other_language", "menu_open"]
    # a key pressed during the greeting is the menu's answer
    state, events = engine.resume(call_flow(), state, Digits("8"), now=OPEN)
    assert state.language == "pl"
    # asked again after a wrong key: the other-language choice first, no greeting
    state, events = engine.start(call_flow(), Trigger("CA1", VICTIM), now=OPEN)
    state, events = engine.resume(call_flow(), state, Digits("6"), now=OPEN)
    assert said(events) == ["sorry_invalid", "menu_other_language", "menu_open"]


def test_closed_greeting_offers_the_other_language_before_the_hours():
    state, events = engine.start(call_flow(), Trigger("CA1", VICTIM), now=CLOSED)
    gather = next(e for e in events if isinstance(e, Gather))
    assert [p.key for p in gather.prompts] == ["greeting", "safety", "menu_other_language", "closed", "hours",
                                               "next_opening", "menu_closed"]
    assert gather.prompts[2].language == "pl"
    assert isinstance(events[-1], Redirect)  # every Gather has a fall-through
    assert state.at == "closed_menu"


def test_resume_never_mutates_its_inputs():
    flow = call_flow()
    state, _ = play(flow, [Digits("3"), Digits("1")])
    before = copy.deepcopy(state)
    engine.resume(flow, state, Digits("1"), now=OPEN)
    assert state == before


def test_every_gather_is_followed_by_a_fall_through():
    flow = call_flow()
    for inputs in ([], [Digits("3")], [Digits("1")], [Digits("4")], [Silence()], [Digits("7")]):
        _, events = play(flow, inputs)
        for i, event in enumerate(events):
            if isinstance(event, Gather) and event.target == "step":
                assert isinstance(events[i + 1], Redirect)


def test_wrong_key_apologises_and_repeats_the_menu():
    _, events = play(call_flow(), [Digits("7")])
    assert said(events) == ["sorry_invalid", "menu_other_language", "menu_open"]


def test_one_silence_goes_to_the_desk_when_open():
    """A caller who says and presses nothing may be unable to speak: straight to a person."""
    state, events = play(call_flow(), [Silence()])
    assert any(isinstance(e, Enqueue) for e in events)
    assert any(isinstance(e, RequestRouting) for e in events)
    assert state.queue_joined_at == OPEN.isoformat()


def test_one_silence_offers_a_callback_when_closed():
    state, events = play(call_flow(), [Silence()], now=CLOSED)
    assert state.at == "callback_offer"
    assert "desk_closed" in said(events) and not any(isinstance(e, Enqueue) for e in events)


def test_repeating_the_menu_forever_is_capped():
    flow = call_flow()
    state, events = play(flow, [Digits("9")] * 7)
    assert state.at == "main_menu"
    state, events = engine.resume(flow, state, Digits("9"), now=OPEN)
    assert events[-1] == Query("staffing", {})  # the 9th play goes to a person instead
    state, events = engine.resume(flow, state, Answer("staffing", "staffed"), now=OPEN)
    assert any(isinstance(e, Enqueue) for e in events)


def test_a_loop_in_the_flow_itself_hits_the_step_cap():
    loop = dict(NODES, greeting=Message(("greeting",), next="spin"), spin=Message((), next="greeting"))
    flow = replace(call_flow(Settings(max_steps=20)), nodes=loop)
    state, events = engine.start(flow, Trigger("CA1", VICTIM), now=OPEN)
    assert state.done and state.outcome == "error"
    assert isinstance(events[-1], Hangup)
    assert "safety" in said(events)


def test_a_caller_stuck_in_menus_is_stopped_by_the_input_cap():
    flow = call_flow(Settings(max_inputs=5))
    state, events = play(flow, [Digits("4"), Digits("9"), Digits("4"), Digits("9"), Digits("4"), Digits("9")])
    assert state.done and isinstance(events[-1], Hangup) and "safety" in said(events)


def test_speech_chooses_like_keys():
    state, _ = play(call_flow(), [Speech("I'd like a call back please")])
    assert state.at == "cb_number"


def test_case_reference_is_asked_for_and_never_kept_in_state():
    flow = call_flow()
    state, events = play(flow, [Digits("1"), Digits("520123426")])
    assert events[-1] == Query("case_lookup", {"reference": "520123426"})
    assert "520123426" not in repr(state)
    state, events = engine.resume(flow, state, Answer("case_lookup", "refused"), now=OPEN)
    assert said(events)[:2] == ["case_refused", "case_retry"]
    assert state.counts["case_failures"] == 1


def test_three_failed_references_end_the_case_path_for_the_call():
    flow = call_flow()
    state, _ = play(flow, [Digits("1")])
    for attempt in range(3):
        state, events = engine.resume(flow, state, Digits("1111"), now=OPEN)
        state, events = engine.resume(flow, state, Answer("case_lookup", "refused"), now=OPEN)
        if attempt < 2:
            state, events = engine.resume(flow, state, Digits("1"), now=OPEN)
            assert state.at == "case_entry"  # the reference is asked for again
    assert state.at == "case_gave_up"
    state, events = engine.resume(flow, state, Digits("9"), now=OPEN)
    state, events = engine.resume(flow, state, Digits("1"), now=OPEN)  # asks again from the menu
    assert state.at == "case_gave_up" and not any(isinstance(e, Query) for e in events)


def test_estimates_round_up_and_never_promise_too_little():
    assert engine.estimate(None) is None and engine.estimate(0) is None
    assert engine.estimate(10) == ("queue_estimate_one", 1)
    assert engine.estimate(61) == ("queue_estimate_few", 2)
    assert engine.estimate(301) == ("queue_estimate_many", 10)
    assert engine.estimate(900) == ("queue_estimate_many", 15)
    assert engine.estimate(901) == ("queue_estimate_long", None)  # "more than 15 minutes"


def test_estimates_never_announce_a_wait_longer_than_the_caller_may_hold():
    assert engine.estimate(500, 600) == ("queue_estimate_many", 10)
    assert engine.estimate(600, 720) == ("queue_estimate_many", 10)
    assert engine.estimate(560, 600) == ("queue_estimate_many", 10)
    assert engine.estimate(660, 720) == ("queue_estimate_many", 12)  # not 15: they hold 12 at most
    assert engine.estimate(601, 600) is None
    assert engine.estimate(901, 900) is None  # not "more than 15 minutes"
    assert engine.estimate(901, 3600) == ("queue_estimate_long", None)


def test_queue_wait_says_no_estimate_beyond_the_hold_limit():
    flow = call_flow(Settings(queue_max_wait_seconds=600))
    state, _ = play(flow, [Digits("2")])
    _, events = engine.resume(flow, state, QueueWait(3, 900, 10, 3), now=OPEN)
    assert "queue_position" in said(events) and not any(k.startswith("queue_estimate") for k in said(events))


def test_the_estimate_counts_the_time_already_waited():
    # 20 minutes allowed, 15 already waited: a 10-minute estimate would outlast the hold
    flow = call_flow(Settings(queue_max_wait_seconds=1200))
    state, _ = play(flow, [Digits("2")])
    _, events = engine.resume(flow, state, QueueWait(1, 600, 900, 1), now=OPEN)
    assert "queue_position" in said(events) and not any(k.startswith("queue_estimate") for k in said(events))


def test_the_estimate_stops_at_closing_time_and_its_grace_period():
    # 19:55, closing at 20:00 with 10 minutes' grace: 15 minutes left at most
    at = datetime(2026, 11, 23, 19, 55, tzinfo=LONDON)
    flow = call_flow(Settings(queue_max_wait_seconds=3600, queue_closing_grace_seconds=600))
    state, _ = play(flow, [Digits("2")], now=at)
    _, events = engine.resume(flow, state, QueueWait(1, 1200, 10, 1), now=at)
    assert not any(k.startswith("queue_estimate") for k in said(events))
    _, events = engine.resume(flow, state, QueueWait(1, 600, 10, 1), now=at)
    assert "queue_estimate_many" in said(events)


def test_the_queue_closes_with_the_desk_after_a_grace_period():
    from datetime import timedelta
    joined = datetime(2026, 11, 23, 19, 58, tzinfo=LONDON)
    flow = call_flow(Settings(queue_closing_grace_seconds=600))
    state, _ = play(flow, [Digits("2")], now=joined)
    state, events = engine.resume(flow, state, QueueWait(1, None, 60, 1), now=joined)
    assert "queue_closing" not in said(events)
    at_close = joined + timedelta(minutes=3)  # 20:01
    state, events = engine.resume(flow, state, QueueWait(1, None, 180, 1), now=at_close)
    assert said(events)[0] == "queue_closing" and any(isinstance(e, Gather) for e in events)
    state, events = engine.resume(flow, state, QueueWait(1, None, 300, 1), now=at_close + timedelta(minutes=2))
    assert "queue_closing" not in said(events) and not any(isinstance(e, Leave) for e in events)
    later = at_close + timedelta(minutes=10)
    state, events = engine.resume(flow, state, QueueWait(1, None, 900, 1), now=later)
    assert any(isinstance(e, Leave) for e in events)
    state, events = engine.resume(flow, state, QueueResult("leave", 900), now=later)
    assert said(events)[:3] == ["queue_closed", "next_opening", "helplines"]
    assert state.at == "callback_offer"


def test_the_queue_closes_when_the_last_agent_goes_offline():
    from datetime import timedelta
    flow = call_flow(Settings(queue_closing_grace_seconds=600))
    state, _ = play(flow, [Digits("2")])
    state, events = engine.resume(flow, state, QueueWait(1, None, 10, 1, staffed=False), now=OPEN)
    assert said(events)[0] == "queue_closing"
    later = OPEN + timedelta(minutes=10)
    state, events = engine.resume(flow, state, QueueWait(1, None, 610, 1, staffed=False), now=later)
    state, events = engine.resume(flow, state, QueueResult("leave", 610), now=later)
    assert said(events)[:2] == ["nobody_free", "helplines"] and state.at == "callback_offer"


def test_an_agent_back_on_duty_reopens_the_queue():
    from datetime import timedelta
    flow = call_flow(Settings(queue_closing_grace_seconds=600))
    state, _ = play(flow, [Digits("2")])
    state, _ = engine.resume(flow, state, QueueWait(1, None, 10, 1, staffed=False), now=OPEN)
    state, _ = engine.resume(flow, state, QueueWait(1, None, 70, 1, staffed=True), now=OPEN + timedelta(minutes=1))
    later = OPEN + timedelta(minutes=15)
    state, events = engine.resume(flow, state, QueueWait(1, None, 910, 1, staffed=True), now=later)
    assert not any(isinstance(e, Leave) for e in events)


def test_staffing_is_checked_before_the_queue():
    flow = call_flow()
    state, _ = play(flow, [])
    state, events = engine.resume(flow, state, Digits("2"), now=OPEN)
    assert state.at == "desk_staffing" and events[-1] == Query("staffing", {})
    staffed, events = engine.resume(flow, state, Answer("staffing", "staffed"), now=OPEN)
    assert staffed.at == "queue" and any(isinstance(e, Enqueue) for e in events)
    unstaffed, events = engine.resume(flow, state, Answer("staffing", "unstaffed"), now=OPEN)
    assert unstaffed.at == "callback_offer" and said(events)[0] == "nobody_free"
    assert not any(isinstance(e, Enqueue) for e in events) and unstaffed.queue_joined_at is None


def test_urgent_callers_with_nobody_on_duty_hear_the_helplines_then_a_callback_offer():
    flow = call_flow()
    state, _ = play(flow, [Speech("I need help", 0.9)], staffing="unstaffed")
    assert state.at == "callback_offer" and not state.vars.get("urgent")
    state, _ = play(flow, [Speech("I need help", 0.9)])
    assert state.at == "queue" and state.vars.get("urgent") is True


def test_queue_wait_announces_position_and_offers_a_callback():
    flow = call_flow()
    state, _ = play(flow, [Digits("2")])
    state, events = engine.resume(flow, state, QueueWait(3, 400, 10, 3), now=OPEN)
    assert said(events)[:2] == ["queue_position", "queue_estimate_many"]
    assert QueueEvent("position_announced", position=3, wait_seconds=10) in events
    gather = next(e for e in events if isinstance(e, Gather))
    assert gather.target == "queue_key" and said([gather]) == ["queue_press_1"]
    state, events = engine.resume(flow, state, Digits("1"), now=OPEN)
    assert isinstance(events[-1], Leave)
    state, events = engine.resume(flow, state, QueueResult("leave", 40), now=OPEN)
    # the caller keeps their place: the callback number question says how to keep holding
    assert state.at == "cb_number_held" and said(events)[0] == "queue_keep_place"
    assert said(events)[-1] == "keep_holding"


def test_a_callback_from_the_queue_keeps_the_first_join_time():
    flow = call_flow()
    state, _ = play(flow, [Digits("2")], now=OPEN)
    later = OPEN.replace(minute=30)
    state, _ = engine.resume(flow, state, QueueWait(1, 0, 1800, 1), now=later)  # timed out
    state, _ = engine.resume(flow, state, QueueResult("leave", 1800), now=later)
    assert state.at == "queue_callback_offer"
    for step in (Digits("1"), Digits("1"), Answer("callback_number", "ok"),  # offer, this number, callable
                 Digits("1"), Digits("1"), Digits("1"), Digits("1")):         # safe, voicemail, window, confirm
        state, events = engine.resume(flow, state, step, now=later)
    record = next(e for e in events if isinstance(e, CallbackRecord))
    assert record.queue_joined_at == OPEN.isoformat()


def test_full_queue_offers_a_callback_to_new_callers_only():
    flow = call_flow(Settings(queue_max_size=2))
    state, _ = play(flow, [Digits("2")])
    _, events = engine.resume(flow, state, QueueWait(3, 0, 0, 3), now=OPEN)
    assert isinstance(events[-1], Leave)
    state, _ = engine.resume(flow, state, QueueWait(1, 0, 0, 1), now=OPEN)
    _, events = engine.resume(flow, state, QueueWait(1, 0, 30, 5), now=OPEN)
    assert not any(isinstance(e, Leave) for e in events)


def test_not_safe_to_call_records_nothing():
    state, events = play(call_flow(), [Digits("3"), Digits("1"), Answer("callback_number", "ok"), Digits("2")])
    assert state.outcome == "callback_unsafe" and state.at == "cb_unsafe_options"
    state, events = play(call_flow(), [Digits("3"), Digits("1"), Answer("callback_number", "ok"), Digits("2"),
                                       Silence(), Silence()])  # neither another number nor a time
    assert state.outcome == "callback_unsafe"
    assert not any(isinstance(e, CallbackRecord) for e in events)
    assert "cb_unsafe" in said(events)


def test_a_number_a_case_says_not_to_call_is_refused_before_any_question():
    state, events = play(call_flow(), [Digits("3"), Digits("1"), Answer("callback_number", "refused")])
    assert state.outcome == "callback_unsafe"
    assert not any(isinstance(e, CallbackRecord) for e in events)
    assert said(events)[:2] == ["cb_number_refused", "hours"]
    assert "cb_safe" not in said(events)


def test_polish_is_offered_in_the_main_menu():
    state, events = play(call_flow(), [Digits("8")])
    assert state.language == "pl"
    assert said(events) == ["safety", "menu_other_language", "menu_open"]
    gather = next(e for e in events if isinstance(e, Gather))
    assert gather.language == "pl" and gather.prompts[1].language == "en"  # inside the Gather


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        engine.start(call_flow(), Trigger("CA1", VICTIM), now=datetime(2026, 11, 23, 10))


@pytest.mark.parametrize("keys", [[Digits("1")], [Digits("3"), Digits("2")]],
                         ids=["case reference", "callback number"])
def test_silence_at_a_number_says_no_number_was_heard_not_no_choice(keys):
    state, events = play(call_flow(), [*keys, Silence()])
    assert state.at in ("case_entry", "cb_enter_number")
    assert "sorry_entry_silence" in said(events) and "sorry_silence" not in said(events)
    assert prompts.text("sorry_entry_silence", "en") == "Sorry, we did not hear a number."
    assert prompts.text("sorry_entry_silence", "pl") == "Przepraszamy, nie usłyszeliśmy numeru."


@pytest.mark.parametrize("answer", [Digits("7"), Speech("the helplines please", 0.9), Speech("infolinie", 0.9)],
                         ids=["key 7", "said in English", "said in Polish"])
def test_closed_menu_reads_the_24_hour_helplines_then_the_menu_again(answer):
    state, events = play(call_flow(), [answer], now=CLOSED)
    assert said(events)[0] == "helplines" and "rights" not in said(events)
    assert state.at == "closed_menu"
    state, events = play(call_flow(), [Digits("7")], now=OPEN)  # not a key of the open menu
    assert "helplines" not in said(events) and said(events)[0] == "sorry_invalid"
