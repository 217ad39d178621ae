"""`flask --app wsgi staff create|list|disable`."""
from __future__ import annotations

from models.staff import StaffUser
from tests.support.console import DEFAULT_PASSWORD, log_in


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", *args], input=input)


def test_create_from_stdin_then_log_in(app, client, add_agent, rows):
    add_agent("agent-a", "+447911200001", state="offline")
    result = run(app, "create", "Agent-A@Desk.Example", "--role", "agent", "--agent", "agent-a", "--password-stdin",
                 input=DEFAULT_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created agent-a@desk.example (agent)"
    [user] = rows(StaffUser)
    assert user.agent_id is not None and user.password_hash.startswith("$argon2id$")
    assert log_in(client, "agent-a@desk.example").get("/console/agent/").status_code == 200


def test_create_prompts_twice_for_the_password(app, rows):
    result = run(app, "create", "sue@desk.example", "--role", "supervisor",
                 input=f"{DEFAULT_PASSWORD}\n{DEFAULT_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output and DEFAULT_PASSWORD not in result.output
    assert [u.role for u in rows(StaffUser)] == ["supervisor"]


def test_bad_input_gets_a_clear_answer(app, rows):
    cases = [
        (["create", "a@desk.example", "--role", "agent", "--password-stdin"], "must be linked to a desk agent"),
        (["create", "a@desk.example", "--role", "agent", "--agent", "Nobody", "--password-stdin"], "no agent named"),
        (["create", "not-an-email", "--role", "admin", "--password-stdin"], "valid email"),
        (["create", "a@desk.example", "--role", "king", "--password-stdin"], "Invalid value for '--role'"),
    ]
    for args, message in cases:
        result = run(app, *args, input=DEFAULT_PASSWORD + "\n")
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    short = run(app, "create", "a@desk.example", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    run(app, "create", "a@desk.example", "--role", "admin", "--password-stdin", input=DEFAULT_PASSWORD + "\n")
    again = run(app, "create", "A@desk.example", "--role", "admin", "--password-stdin", input=DEFAULT_PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    assert len(rows(StaffUser)) == 1


def test_list_and_disable(app, client):
    run(app, "create", "sue@desk.example", "--role", "supervisor", "--password-stdin", input=DEFAULT_PASSWORD + "\n")
    log_in(client, "sue@desk.example")
    listed = run(app, "list")
    assert listed.exit_code == 0 and listed.output.startswith("sue@desk.example\tsupervisor\t-\tactive\tlast login ")
    assert "never" not in listed.output
    assert run(app, "disable", "SUE@desk.example").output.strip() == "disabled sue@desk.example"
    assert "\tdisabled\t" in run(app, "list").output
    missing = run(app, "disable", "nobody@desk.example")
    assert missing.exit_code != 0 and "no account for nobody@desk.example" in missing.output
