"""A new version of the flow deployed while calls are in progress: each call resumes
where it waits if that node is still there, else goes to the desk (the queue when
open, the callback offer when closed).  Nobody is dropped and nothing raises."""
from dataclasses import replace
from datetime import datetime

from sqlmodel import select

from flows import engine
from flows.call_flow import NODES, VERSION, call_flow
from flows.hours import LONDON
from flows.model import (Answer, Ask, CallState, Digits, Enqueue, Gather, Hangup, Menu, Message, Query,
                         Say, Silence, Trigger, to)
from models.calls import Call
from models.db import session

OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
CLOSED = datetime(2026, 11, 23, 21, 0, tzinfo=LONDON)
VICTIM = "+447911123456"
NEXT = f"{VERSION}-next"  # a later version of the flow than the one deployed


def staffed(flow, state, events, now):
    """The desk checks staffing before the queue: someone is on duty."""
    assert state.at == "desk_staffing" and events[-1] == Query("staffing", {})
    return engine.resume(flow, state, Answer("staffing", "staffed"), now=now)


def said(events):
    return [e.key for e in events if isinstance(e, Say)] + [
        p.key for e in events if isinstance(e, Gather) for p in e.prompts if isinstance(p, Say)]


def v1():
    return call_flow()


def v2_same_nodes():
    return replace(call_flow(), version=NEXT)


def v2_without_leaflet_offer():
    """The leaflet offer renamed: a caller waiting at ``leaflet_offer`` has nowhere to resume."""
    nodes = dict(NODES, rights=Message(("rights", "support"), next="leaflet_menu", outcome="information"),
                 leaflet_menu=NODES["leaflet_offer"])
    del nodes["leaflet_offer"]
    return replace(call_flow(), nodes=nodes, version=NEXT)


def at_leaflet_offer(now):
    state, _ = engine.start(v1(), Trigger("CA1", VICTIM), now=now)
    state, _ = engine.resume(v1(), state, Digits("4"), now=now)
    state, _ = engine.resume(v1(), state, Silence(), now=now)  # the rights and support, heard to the end
    assert state.at == "leaflet_offer" and state.flow_version == v1().version
    return state


def saved_and_loaded(state: CallState) -> CallState:
    return CallState.from_json(state.to_json())


def test_the_state_keeps_the_flow_version_through_json():
    state = at_leaflet_offer(OPEN)
    assert state.to_json()["flow_version"] == v1().version
    assert saved_and_loaded(state) == state


def test_the_flow_version_is_set_in_the_call_flow():
    assert v1().version and v1().on_version_change == "desk"


def test_same_node_in_a_new_version_resumes_there():
    state = saved_and_loaded(at_leaflet_offer(OPEN))
    state, events = engine.resume(v2_same_nodes(), state, Digits("9"), now=OPEN)
    assert said(events) == ["menu_other_language", "menu_open"]  # 9 at the leaflet offer: the menu
    assert state.at == "main_menu" and state.flow_version == NEXT


def test_removed_node_goes_to_the_queue_when_open():
    state = saved_and_loaded(at_leaflet_offer(OPEN))
    state, events = engine.resume(v2_without_leaflet_offer(), state, Digits("1"), now=OPEN)
    state, events = staffed(v2_without_leaflet_offer(), state, events, OPEN)
    assert said(events) == ["queue_connecting"]
    assert any(isinstance(e, Enqueue) for e in events)
    assert state.at == "queue" and state.flow_version == NEXT and not state.done


def test_removed_node_goes_to_the_callback_offer_when_closed():
    state = saved_and_loaded(at_leaflet_offer(CLOSED))
    state, events = engine.resume(v2_without_leaflet_offer(), state, Digits("1"), now=CLOSED)
    assert said(events) == ["desk_closed", "hours", "next_opening", "callback_offer"]
    assert state.at == "callback_offer" and state.flow_version == NEXT
    assert not any(isinstance(e, Hangup) for e in events)


def test_a_state_saved_before_versions_resumes_where_it_waits():
    old = at_leaflet_offer(OPEN).to_json()
    del old["flow_version"]
    state = CallState.from_json(old)
    assert state.flow_version is None
    state, events = engine.resume(v1(), state, Digits("9"), now=OPEN)
    assert said(events) == ["menu_other_language", "menu_open"]
    assert state.flow_version == v1().version


def test_a_state_saved_before_versions_whose_node_is_gone_goes_to_the_desk():
    old = at_leaflet_offer(CLOSED).to_json()
    del old["flow_version"]
    state, events = engine.resume(v2_without_leaflet_offer(), CallState.from_json(old), Digits("1"), now=CLOSED)
    assert state.at == "callback_offer" and said(events)[0] == "desk_closed"


def test_a_node_of_another_kind_under_the_same_name_counts_as_gone():
    # leaflet_offer is a Message now: a key pressed for the old menu means nothing there
    flow = replace(v2_without_leaflet_offer(), nodes=dict(
        v2_without_leaflet_offer().nodes, leaflet_offer=Message(("leaflet_sent",), next="menu")))
    state, events = engine.resume(flow, at_leaflet_offer(OPEN), Digits("1"), now=OPEN)
    state, events = staffed(flow, state, events, OPEN)
    assert said(events) == ["queue_connecting"] and state.at == "queue"


def test_an_answer_the_new_version_does_not_expect_goes_to_the_desk():
    state, _ = engine.start(v1(), Trigger("CA1", VICTIM), now=OPEN)
    state, events = engine.resume(v1(), state, Digits("1"), now=OPEN)
    state, events = engine.resume(v1(), state, Digits("520123426#"), now=OPEN)
    assert events[-1] == Query("case_lookup", {"reference": "520123426"})
    renamed = Ask("case_lookup_v2", answers={"minimal": "case_minimal", "refused": "case_refused"})
    flow = replace(v1(), nodes=dict(NODES, case_lookup=renamed), version=NEXT)
    state, events = engine.resume(flow, state, Answer("case_lookup", "refused"), now=OPEN)
    state, events = staffed(flow, state, events, OPEN)
    assert said(events) == ["queue_connecting"] and state.at == "queue"


def test_a_removed_menu_key_is_just_a_wrong_key():
    # the node is still there, so the call stays on it: the new menu's rules apply
    menu = NODES["leaflet_offer"]
    flow = replace(v1(), version=NEXT, nodes=dict(NODES, leaflet_offer=Menu(
        menu.prompts, options={"9": to("menu")}, on_no_input="menu", dtmf_only=("9",))))
    state, events = engine.resume(flow, at_leaflet_offer(OPEN), Digits("1"), now=OPEN)
    assert said(events) == ["sorry_invalid", "leaflet_offer"] and state.at == "leaflet_offer"


def test_a_new_version_mid_call_through_the_webhooks(app, dial):
    call = dial()
    call.press("4")  # rights, then the leaflet offer
    call.silence()  # heard to the end: the leaflet offer
    assert call.waiting_for == "gather"
    app.extensions["call_flow"] = v2_without_leaflet_offer()
    call.press("1")
    assert call.last_said() == "We are putting you through to the desk. Please hold."
    assert call.waiting_for == "queue"
    with app.app_context():
        row = session().exec(select(Call).where(Call.call_sid == call.call_sid)).one()
        assert row.state["flow_version"] == NEXT and row.state["at"] == "queue"
