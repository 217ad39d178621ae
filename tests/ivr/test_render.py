"""The TwiML the flow renders: every Gather listens for keys and speech and has a verb
after it, voices match the language, and the queue uses Twilio's waitUrl/action."""
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from flows import engine
from flows.call_flow import call_flow
from flows.hours import LONDON
from flows.model import Answer, Digits, QueueWait, Trigger
from ivr.render import render

OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


STAFFED = Answer("staffing", "staffed")  # someone is on duty: the caller joins the queue


def states():
    flow = call_flow()
    state, events = engine.start(flow, Trigger("CA1", "+447911123456"), now=OPEN)
    yield "greeting", events
    for name, inputs in {"callback number": [Digits("3")], "reference entry": [Digits("1")],
                         "pin entry": [Digits("1"), Digits("520123426#"),
                                       Answer("case_lookup", "pin", remember={"pin_case": 1})],
                         "polish": [Digits("8")], "queue": [Digits("2"), STAFFED],
                         "queue wait": [Digits("2"), STAFFED, QueueWait(2, 100, 5, 2)]}.items():
        s, evs = state, events
        for item in inputs:
            s, evs = engine.resume(flow, s, item, now=OPEN)
        yield name, evs


@pytest.mark.parametrize("name, events", list(states()))
def test_twiml_shape(app, name, events):
    with app.test_request_context():
        root = ET.fromstring(str(render(events)))
    verbs = list(root)
    for i, verb in enumerate(verbs):
        if verb.tag == "Gather":
            assert verb.get("input") == ("dtmf" if name in ("pin entry", "queue wait") else "dtmf speech")
            assert verb.get("action", "").startswith("/ivr/")
            assert i + 1 < len(verbs), f"{name}: a Gather with nothing after it"
        if verb.tag == "Say":
            assert (verb.get("language"), verb.get("voice")) in {("en-GB", "Polly.Amy"), ("pl-PL", "Polly.Ewa")}
    if name == "queue":
        enqueue = root.find("Enqueue")
        assert enqueue.text == "desk"
        assert enqueue.get("waitUrl") == "/ivr/queue/wait" and enqueue.get("action") == "/ivr/queue/exit"
    if name == "queue wait":
        gather = root.find("Gather")
        assert gather.get("action") == "/ivr/queue/key" and gather.find("Play") is not None
    if name == "reference entry":
        assert root.find("Gather").get("finishOnKey") == "#"
    if name == "polish":
        assert root.find("Gather").get("language") == "pl-PL"
