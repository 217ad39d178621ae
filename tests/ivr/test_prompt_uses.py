"""The prompts validate() counts as used are the ones actually said: calls played at
random through the engine, the date and time words, the fallback document and the
edge's own uses of the catalog say nothing outside flows.validate.used_prompts."""
import ast
import random
import re
from datetime import datetime
from pathlib import Path

import pytest

from flows import engine, prompts
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import (Answer, Ask, Digits, Entry, Menu, Queue, QueueResult, QueueWait, Silence, Speech,
                         Trigger)
from flows.validate import used_prompts

ROOT = Path(__file__).resolve().parents[2]
TIMES = [datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),   # Monday, open
         datetime(2026, 11, 23, 21, 0, tzinfo=LONDON),   # Monday evening, closed
         datetime(2026, 11, 28, 17, 30, tzinfo=LONDON),  # Saturday after closing
         datetime(2026, 12, 24, 22, 0, tzinfo=LONDON)]   # before Christmas
CALLERS = ["+447911123456", None, "+442079460000"]
ANSWER_PARAMS = {"status": "under investigation", "date": "20 November", "message": "An update.",
                 "url": "https://example.org/leaflet"}


@pytest.fixture
def heard(monkeypatch):
    keys: set[str] = set()
    real_say = prompts.say

    def say(key, language, params=None):
        keys.add(key)
        return real_say(key, language, params)

    monkeypatch.setattr(prompts, "say", say)
    return keys


def an_input(rng: random.Random, node, node_id: str):
    if isinstance(node, Menu):
        return rng.choice([Digits(rng.choice(sorted(node.options))), Digits("7"), Silence(),
                           Speech("something else entirely")])
    if isinstance(node, Entry):
        return rng.choice([Digits("520123426#"), Digits("07700900123#"), Digits("12#"), Silence(),
                           Speech("banana")])
    if isinstance(node, Ask):
        return Answer(node.query, rng.choice(engine.QUERIES[node.query]), ANSWER_PARAMS)
    if isinstance(node, Queue):
        return rng.choice([QueueWait(rng.randint(1, 4), rng.choice([0, 30, 200, 700, 2000]),
                                     rng.choice([0, 60, 1300]), rng.randint(1, 12)),
                           Digits("1"), Digits("5"),
                           QueueResult(rng.choice(["leave", "queue-full", "bridged", "hangup", "error"]), 60)])
    raise AssertionError(f"{node_id} does not wait for anything")


def test_what_random_calls_say_is_counted_as_used(heard):
    flow = call_flow()
    rng = random.Random(7)
    for _ in range(400):
        now, caller = rng.choice(TIMES), rng.choice(CALLERS)
        state, _ = engine.start(flow, Trigger("CA1", caller, rng.choice(["en", "pl"])), now=now)
        for _ in range(40):
            if state.done:
                break
            state, _ = engine.resume(flow, state, an_input(rng, flow.nodes[state.at], state.at), now=now)
    for days_ahead in (0, 1, 3, 9):
        for language in prompts.LANGUAGES:
            prompts.when(datetime(2027, 1, 4, 8, 0, tzinfo=LONDON), days_ahead, language)
    assert heard - used_prompts(flow) == set()
    assert len(heard) > 60  # the walk went most places


def test_the_fallback_document_says_only_used_prompts(heard):
    from ivr.fallback import fallback_response
    from ivr.voices import DEFAULT_VOICES

    fallback_response("+441234567890", voices=DEFAULT_VOICES)
    fallback_response(None, voices=DEFAULT_VOICES)
    assert heard and heard - used_prompts(call_flow()) == set()


def test_the_edges_catalog_keys_are_counted_as_used():
    """Any catalog key named in a module outside flows/ that reads the catalog."""
    catalog = set(prompts.catalog("en"))
    named: dict[str, set[str]] = {}
    for path in sorted(ROOT.glob("*/*.py")) + sorted(ROOT.glob("*/*/*.py")):
        if path.parts[len(ROOT.parts)] in ("flows", "tests", ".venv", "bench"):
            continue
        source = path.read_text(encoding="utf-8")
        if not re.search(r"^from flows import .*\bprompts\b", source, re.MULTILINE):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and node.value in catalog:
                named.setdefault(node.value, set()).add(str(path.relative_to(ROOT)))
    assert "fallback_sorry" in named  # the scan found the edge's uses
    assert set(named) - used_prompts(call_flow()) == set(), named
