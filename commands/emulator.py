"""`flask --app wsgi call` and `flask --app wsgi sms`: try the line from a terminal.

Both drive this app in-process through the Twilio emulator (emulator/), with
requests signed exactly as Twilio signs them, so what you hear or read is what a
victim would.  Outbound texts and calls are queued as usual; a running worker sends them.
"""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from desk.clock import LONDON, FixedClock
from emulator import caller, texter
from flows.phone import to_e164

LOCAL_ORIGIN = "http://localhost"  # the test client's origin when PUBLIC_BASE_URL is unset


def _number(raw: str, option: str) -> str:
    try:
        return to_e164(raw)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _at(raw: str | None) -> FixedClock | None:
    if not raw:
        return None
    try:
        return FixedClock(datetime.fromisoformat(raw).replace(tzinfo=LONDON))
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not a date and time like 2026-07-18 15:30", param_hint="--at") from None


def _twilio_side() -> dict:
    config = current_app.config
    return {"base_url": (config.get("PUBLIC_BASE_URL") or LOCAL_ORIGIN).rstrip("/"),
            "auth_token": config["TWILIO_AUTH_TOKEN"], "account_sid": config["TWILIO_ACCOUNT_SID"],
            "to": config["TWILIO_PHONE_NUMBER"]}


@click.command("call")
@click.option("--from", "from_", default="+447911123456", show_default=True, help="the caller's number")
@click.option("--at", default=None, help='London time of the call, e.g. "2026-07-18 15:30" (default: now)')
@with_appcontext
def call(from_: str, at: str | None) -> None:
    """Ring the desk line: hear the prompts, type keys."""
    clock = _at(at)
    if clock:
        current_app.config["CLOCK"] = clock
    caller.run_interactive(current_app.test_client(), from_=_number(from_, "--from"), clock=clock,
                           status_url="/ivr/status", **_twilio_side())


@click.command("sms")
@click.argument("from_", metavar="FROM")
@click.argument("text")
@with_appcontext
def sms(from_: str, text: str) -> None:
    """Text TEXT to the desk line from FROM and print the reply."""
    replies = texter.Texter(current_app.test_client(), from_=_number(from_, "FROM"), **_twilio_side()).send(text)
    for reply in replies:
        click.echo(reply)
    if not replies:
        click.echo("(no reply)")
