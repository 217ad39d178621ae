"""`flask call` and `flask sms`: a person trying the line from a terminal hears and
reads what a victim would, at the time they choose."""
from __future__ import annotations

import pytest


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, keys: str = ""):
        result = runner.invoke(args=list(args), input=keys)
        return result

    return run


def test_a_call_inside_saturday_hours_reaches_the_main_menu_and_the_victims_code(cli):
    result = cli("call", "--at", "2026-07-18 15:30", keys="4\nh\n")
    assert result.exit_code == 0, result.output
    assert "If you are in danger, hang up and call 999" in result.output
    assert "To speak to someone, press 2" in result.output
    assert "The Victims' Code is" in result.output
    assert "-- call ended (completed)" in result.output


def test_a_call_after_saturday_closing_hears_the_hours_and_no_desk_option(cli):
    result = cli("call", "--at", "2026-07-18 16:00", keys="h\n")
    assert result.exit_code == 0, result.output
    assert "The desk is closed now" in result.output
    assert "To speak to someone, press 2" not in result.output


def test_end_of_input_hangs_up(cli):
    result = cli("call", "--at", "2026-07-20 09:00")
    assert "-- call ended" in result.output


@pytest.mark.parametrize("args, complaint", [
    (("call", "--from", "12"), "Invalid value for --from"),
    (("call", "--at", "tomorrow"), "Invalid value for --at"),
    (("sms", "not-a-number", "HELP"), "Invalid value for FROM"),
])
def test_bad_arguments_are_refused_with_the_reason(cli, args, complaint):
    result = cli(*args)
    assert result.exit_code == 2 and complaint in result.output


def test_an_inbound_text_prints_the_desk_reply(cli):
    result = cli("sms", "07911 123456", "HELP")
    assert result.exit_code == 0, result.output
    assert "In an emergency call 999" in result.output and "STOP to opt out" in result.output
