"""The flow is checked at start-up: break it in each way and see it rejected."""
from dataclasses import replace

import pytest

from flows.call_flow import NODES, call_flow
from flows.model import Ask, Branch, End, Menu, Message, to
from flows.validate import FlowError, check, validate


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
        case_check_lockout=Ask("horoscope", answers={"ok": "case_entry", "locked": "case_locked"}),
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
