"""`flask agents …`: seeding agents and setting their state from the command line."""
from __future__ import annotations

from sqlmodel import select

from models.agents import Agent
from models.db import session


def run(app, *args):
    return app.test_cli_runner().invoke(args=["agents", *args])


def agents(app):
    with app.app_context():
        return {a.name: a for a in session().exec(select(Agent)).all()}


def test_add_list_and_set_state(app):
    result = run(app, "add", "agent-a", "--phone", "07911 123456", "--skill", "vawg", "--skill", "pl")
    assert result.exit_code == 0, result.output
    result = run(app, "add", "agent-b", "--client", "desk-b")
    assert result.exit_code == 0, result.output

    found = agents(app)
    assert found["agent-a"].phone == "+447911123456"
    assert found["agent-a"].skills == ["vawg", "pl"]
    assert found["agent-a"].state == "offline"
    assert found["agent-b"].address == "client:desk-b"

    result = run(app, "state", "agent-a", "available")
    assert result.exit_code == 0, result.output
    assert agents(app)["agent-a"].state == "available"

    listing = run(app, "list").output.splitlines()
    assert listing[0].startswith("agent-a\tavailable") and "vawg,pl" in listing[0]
    assert listing[1].startswith("agent-b\toffline") and "client:desk-b" in listing[1]
    assert "+44" not in run(app, "list").output  # no phone numbers on screen or in logs


def test_bad_input_is_refused_with_a_reason(app):
    assert "exactly one of --phone or --client" in run(app, "add", "X").output
    assert "exactly one" in run(app, "add", "X", "--phone", "07911123456", "--client", "x").output
    bad = run(app, "add", "X", "--phone", "12345")
    assert bad.exit_code != 0 and "not a valid phone number" in bad.output
    assert run(app, "add", "X", "--phone", "07911123456", "--skill", "klingon").exit_code != 0
    run(app, "add", "X", "--phone", "07911123456")
    assert "already exists" in run(app, "add", "X", "--client", "y").output
    assert "no agent named 'Nobody'" in run(app, "state", "Nobody", "available").output
    assert run(app, "state", "X", "sleeping").exit_code != 0
    assert agents(app).keys() == {"X"}
