"""The flow is checked at start-up: break it in each way and see it rejected."""
from dataclasses import replace

import pytest

from flows.call_flow import NODES, call_flow
from flows.model import Ask, Branch, End, Menu, Message, to
from flows.validate import FlowError, _check_distress, check, validate


def broken(**changes):
    nodes = dict(NODES)
    for name, node in changes.items():
        if node is None:
            del nodes[name]
        else:
            nodes[name] = node
    return replace(call_flow(), nodes=nodes)


def test_the_real_flow_is_valid():
    assert validate(call_flow()) == []


def test_unknown_target_is_rejected():
    problems = validate(broken(greeting=Message(("greeting",), next="nowhere")))
    assert any("greeting: next goes to unknown node 'nowhere'" in p for p in problems)


def test_unreachable_state_is_rejected():
    problems = validate(broken(orphan=End(("goodbye",))))
    assert problems == ["orphan: unreachable from 'greeting'"]


def test_dead_end_loop_is_rejected():
    # A menu whose every way out leads back to itself can never end the call.
    trap = Menu(("menu_open",), options={"1": to("trap")}, on_no_input="trap")
    problems = validate(broken(rights=Message(("rights",), next="trap"), trap=trap))
    assert any("trap: a dead end" in p for p in problems)


def test_unknown_prompt_condition_and_query_are_rejected():
    problems = validate(broken(
        greeting=Message(("no_such_prompt",), next="menu"),
        menu=Branch("moon_is_full", "main_menu", "closed_intro"),
        case_pin_check=Ask("horoscope", answers={"ok": "case_full", "locked": "case_pin_locked"}),
    ))
    text = "\n".join(problems)
    assert "no_such_prompt" in text and "moon_is_full" in text and "horoscope" in text


def test_an_ask_must_handle_every_answer():
    problems = validate(broken(case_lookup=Ask("case_lookup", answers={"full": "case_full"})))
    assert any("missing" in p and "refused" in p for p in problems)


def test_menu_keys_must_be_single_keys():
    bad = replace(NODES["main_menu"], options={**NODES["main_menu"].options, "10": to("menu")})
    assert any("single keys" in p for p in validate(broken(main_menu=bad)))


def test_check_raises_listing_problems():
    with pytest.raises(FlowError, match="unknown node"):
        check(broken(greeting=Message(("greeting",), next="nowhere")))


def test_the_app_refuses_to_start_with_bad_hours_overrides(app):
    from wsgi import create_app

    with pytest.raises(ValueError, match="2026-12-24"):
        create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"],
                    "IVR_HOURS_OVERRIDES": '{"2026-12-24": "lunchtime"}'})


# --- speech vocabularies against the menus that use them -----------------------------


def test_a_vocabulary_entry_for_a_key_the_menu_does_not_offer_is_rejected():
    # the main menu's words for 2, 3, 4 and 8 would be heard at the leaflet offer
    offer = replace(NODES["leaflet_offer"], vocabulary="main_menu")
    problems = validate(broken(leaflet_offer=offer))
    assert any(p.startswith("leaflet_offer:") and "'2'" in p and "does not offer" in p for p in problems)


def test_an_offered_key_without_a_spoken_phrase_is_rejected():
    menu = replace(NODES["main_menu"], options={**NODES["main_menu"].options, "5": to("rights")})
    problems = validate(broken(main_menu=menu))
    assert any(p.startswith("main_menu:") and "'5'" in p and "no spoken phrase" in p for p in problems)


def test_a_key_declared_dtmf_only_needs_no_phrase():
    menu = replace(NODES["main_menu"], options={**NODES["main_menu"].options, "5": to("rights")},
                   dtmf_only=("5",))
    assert validate(broken(main_menu=menu)) == []


def test_dtmf_only_must_agree_with_the_menu_and_the_vocabulary():
    has_words = replace(NODES["main_menu"], dtmf_only=("1",))
    not_offered = replace(NODES["callback_offer"], dtmf_only=("7",))
    problems = validate(broken(main_menu=has_words, callback_offer=not_offered))
    assert any(p.startswith("main_menu:") and "'1'" in p and "dtmf_only" in p for p in problems)
    assert any(p.startswith("callback_offer:") and "'7'" in p and "dtmf_only" in p for p in problems)


# --- prompts: the keys used are derived, and each catalog must match them --------------


def catalogs_with(monkeypatch, change):
    """The prompt catalogs as validate() sees them, changed by ``change(language, entries)``."""
    from flows import prompts

    real = prompts.catalog

    def catalog(language):
        entries = dict(real(language))
        change(language, entries)
        return entries

    monkeypatch.setattr(prompts, "catalog", catalog)


def test_a_prompt_the_engine_says_missing_from_a_catalog_is_rejected(monkeypatch):
    catalogs_with(monkeypatch, lambda language, entries: language == "pl" and entries.pop("queue_press_1"))
    problems = validate(call_flow())
    assert "prompt 'queue_press_1' is missing from the 'pl' catalog" in problems


def test_a_prompt_a_node_says_missing_from_a_catalog_is_rejected(monkeypatch):
    catalogs_with(monkeypatch, lambda language, entries: language == "en" and entries.pop("cb_window"))
    problems = validate(call_flow())
    assert "prompt 'cb_window' is missing from the 'en' catalog" in problems


def test_a_catalog_entry_nothing_says_is_rejected(monkeypatch):
    catalogs_with(monkeypatch, lambda language, entries: entries.update(never_said={"text": "Hello."}))
    assert validate(call_flow()) == ["prompt 'never_said' is in the catalogs but nothing says it"]


def test_a_prompt_left_unused_by_a_changed_flow_is_rejected():
    # the only node saying cb_unsafe_speak_now is gone (and what led there with it)
    problems = validate(broken(cb_unsafe_now=None, cb_unsafe_open=None, cb_unsafe_closed=None,
                               cb_unsafe=Message(("cb_unsafe", "hours"), next="goodbye"),
                               cb_number_refused=Message(("cb_number_refused", "hours"), next="goodbye")))
    assert problems == ["prompt 'cb_unsafe_speak_now' is in the catalogs but nothing says it"]


def test_the_version_change_node_must_exist():
    problems = validate(replace(call_flow(), on_version_change="front_desk"))
    assert "on_version_change: unknown node 'front_desk'" in problems


def test_every_way_the_flow_ends_is_a_call_outcome_the_log_knows():
    """The flow is pure and cannot import the models' enum; this keeps the two in step."""
    from flows.model import End
    from models.calls import CallOutcome

    ends = {node.outcome for node in call_flow().nodes.values() if isinstance(node, End) and node.outcome}
    assert ends and ends <= set(CallOutcome)


def test_distress_words_are_checked_against_the_menus_own_words():
    flow = call_flow()
    assert _check_distress(flow) == []
    assert _check_distress(flow, ()) == ["on_distress is set but there are no distress words"]
    assert _check_distress(flow, ("Help",)) == [
        "distress word 'Help' must be lower case, without punctuation, as it is matched"]
    problems = _check_distress(flow, ("rights",))
    assert problems and all("overlaps" in p for p in problems)
