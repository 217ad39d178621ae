"""Every path ends somewhere safe, over thousands of random calls through the real call
flow: at any hour (open, about to close, closed, a holiday closed with its reason),
with agents on duty or nobody, and a caller who presses anything, says anything
(words of danger included), goes silent, waits, or hangs up.

- never silence: every answer the line gives has something to hear (words, hold music)
  or puts the caller through;
- a call the line ends has reached a person, booked a callback, or heard the 999 notice
  in its last words;
- a word of danger at any menu, or while a number is asked for out loud, is answered
  first with the 999 notice (it was taken for a wrongly said number before).
"""
from __future__ import annotations

import random
from datetime import datetime

import pytest

from flows import engine
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import (Answer, Ask, CallbackRecord, Dial, Digits, Enqueue, Entry, Gather, Hangup, Leave, Menu,
                         Play, Query, Queue, QueueResult, QueueWait, Say, Settings, Silence, Speech, Trigger)
from tests.ivr.test_wording import CALLERS, CHRISTMAS, answers

CALLS = 1500
TIMES = [datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),   # Monday, open
         datetime(2026, 11, 23, 19, 58, tzinfo=LONDON),  # two minutes before closing
         datetime(2026, 11, 23, 21, 0, tzinfo=LONDON),   # closed
         datetime(2026, 11, 29, 15, 59, tzinfo=LONDON),  # Sunday, a minute before closing
         datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)]   # Christmas Day (closed, with its reason in SPECIAL)
SPECIAL = Settings(hours_overrides={CHRISTMAS: None}, closure_reasons={CHRISTMAS: {"en": "Christmas Day"}},
                   queue_max_size=1)
DANGER = ("help", "I'm in danger", "he's here", "pomocy", "jestem w niebezpieczeństwie")
OTHER_WORDS = ("update", "speak to someone", "um", "what", "callback", "nothing", "")


def an_input(rng: random.Random, node, language: str):
    listens = isinstance(node, Menu) or isinstance(node, Entry) and node.speech  # a PIN is keys only
    if listens and rng.random() < 0.08:
        return Speech(rng.choice(DANGER), 0.9)
    if isinstance(node, Menu):
        return rng.choice([Digits(rng.choice(sorted(node.options))), Digits(rng.choice(sorted(node.options))),
                           Digits(rng.choice("0*#6")), Silence(), Speech(rng.choice(OTHER_WORDS), 0.5)])
    if isinstance(node, Entry):
        return rng.choice([Digits("520123426#"), Digits("07700900123#"), Digits("12#"), Digits("#"), Silence()])
    if isinstance(node, Ask):
        return Answer(node.query, rng.choice(engine.QUERIES[node.query]), answers(language))
    if isinstance(node, Queue):
        return rng.choice([QueueWait(rng.randint(1, 4), rng.choice([None, 0, 30, 700, 2000]),
                                     rng.choice([0, 60, 700, 1300, 4000]), rng.randint(1, 12),
                                     rng.choice([True, False, None])),
                           QueueWait(1, None, rng.randint(0, 5000), 1, False),
                           Digits("1"), Digits("5"), Digits("9"), Silence(),
                           QueueResult(rng.choice(["queue-full", "bridged", "hangup", "error", "system-error",
                                                   "redirected"]), rng.randint(0, 3000))])
    raise AssertionError(node)


def heard(events) -> list[Say | Play]:
    """What the caller hears from EVENTS, a Gather's prompts included."""
    out = []
    for event in events:
        if isinstance(event, Say | Play):
            out.append(event)
        elif isinstance(event, Gather):
            out.extend(p for p in event.prompts if isinstance(p, Say | Play))
    return out


def safety_said(events) -> bool:
    return any(isinstance(e, Say) and "999" in e.text for e in heard(events))


def walk(rng: random.Random, flow, now: datetime, language: str) -> list[tuple[object, list]]:
    """One call: [(the input, the line's answer), ...], until it ends or 60 steps."""
    state, events = engine.start(flow, Trigger(f"CA{rng.getrandbits(64):032x}", rng.choice(CALLERS), language),
                                 now=now)
    steps = [(None, events)]
    for _ in range(60):
        if state.done or state.at is None:
            break
        if any(isinstance(e, Leave) for e in events):  # Twilio then runs the Enqueue's action
            event = QueueResult("leave", rng.randint(0, 3000))
        else:
            event = an_input(rng, flow.nodes[state.at], state.language)
        state, events = engine.resume(flow, state, event, now=now)
        steps.append((event, events))
    return steps


@pytest.fixture(scope="module")
def calls() -> list[list[tuple[object, list]]]:
    rng = random.Random(5)
    flows = [call_flow(), engine.replace_settings(call_flow(), SPECIAL)]
    return [walk(rng, rng.choice(flows), rng.choice(TIMES), rng.choice(["en", "pl"])) for _ in range(CALLS)]


def test_the_line_is_never_silent(calls):
    silent = []
    for call in calls:
        for given, events in call:
            if isinstance(given, QueueResult) and given.result in ("hangup", "redirected", "bridging-in-process"):
                continue  # the caller has gone, or is elsewhere (with an agent): nothing to say here
            if any(isinstance(e, Leave) for e in events):
                continue  # out of the queue: Twilio runs the Enqueue's action next, which speaks
            if all(isinstance(e, Query) for e in events):
                continue  # the edge answers at once, and the line speaks then
            if not heard(events) and not any(isinstance(e, Enqueue | Dial) for e in events):
                silent.append((given, events))
    assert silent == [], silent[:3]


def test_every_call_the_line_ends_reaches_a_person_a_callback_or_the_999_notice(calls):
    unsafe, ended = [], 0
    for call in calls:
        given, last = call[-1]
        if not any(isinstance(e, Hangup) for e in last):
            continue  # still going after 60 steps, or put through
        ended += 1
        if isinstance(given, QueueResult) and given.result in ("hangup", "bridged"):
            continue  # the caller hung up, or talked to an agent
        booked = any(isinstance(e, CallbackRecord) for _, events in call for e in events)
        if not (booked or safety_said(last)):
            unsafe.append([type(g).__name__ for g, _ in call[-4:]] + [[getattr(s, "key", s) for s in heard(last)]])
    assert ended > CALLS // 3, "most random calls end within 60 steps"
    assert unsafe == [], unsafe[:3]


def test_a_word_of_danger_at_any_menu_or_number_is_answered_first_with_999(calls):
    answered, missed = 0, []
    for call in calls:
        for given, events in call[1:]:
            if isinstance(given, Speech) and given.text in DANGER:
                answered += 1
                first = next((s for s in heard(events) if isinstance(s, Say)), None)
                if first is None or "999" not in first.text:
                    missed.append((given.text, [getattr(s, "text", s) for s in heard(events)][:2]))
    assert answered > 100
    assert missed == [], missed[:3]
