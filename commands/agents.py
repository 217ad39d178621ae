"""`flask --app wsgi agents …`: seed desk agents and set their state ."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlmodel import select

from desk import clock
from flows.dispatch import LANGUAGES, VAWG
from flows.phone import InvalidPhone, to_e164
from models.agents import AGENT_STATES, Agent, AgentState
from models.db import session
from services.agent_state import change_state
from services.routing import request_dispatch

agents_cli = AppGroup("agents", help="Desk agents: add, list, set state.")

KNOWN_SKILLS = (VAWG, *LANGUAGES)


def _find(name: str) -> Agent:
    agent = session().exec(select(Agent).where(Agent.name == name)).first()
    if agent is None:
        raise click.ClickException(f"no agent named {name!r}")
    return agent


@agents_cli.command("add")
@click.argument("name")
@click.option("--phone", help="Phone number to ring (any UK format; stored as E.164).")
@click.option("--client", "client_identity", help="Twilio Client identity to ring instead of a phone.")
@click.option("--skill", "skills", multiple=True, type=click.Choice(KNOWN_SKILLS),
              help="A skill (repeat): vawg, or a language the agent speaks (en, pl).")
@click.option("--state", type=click.Choice(AGENT_STATES), default=AgentState.OFFLINE.value,
              show_default=True, help="State to start in.")
def agents_add(name: str, phone: str | None, client_identity: str | None, skills: tuple[str, ...],
               state: str) -> None:
    """Add agent NAME, reached on --phone or --client."""
    if bool(phone) == bool(client_identity):
        raise click.UsageError("give exactly one of --phone or --client")
    if phone:
        try:
            phone = to_e164(phone)
        except InvalidPhone as exc:
            raise click.BadParameter(str(exc), param_hint="--phone") from None
    db = session()
    if db.exec(select(Agent).where(Agent.name == name)).first():
        raise click.ClickException(f"an agent named {name!r} already exists")
    agent = Agent(name=name, phone=phone, client_identity=client_identity,
                  skills=list(dict.fromkeys(skills)), state=state, state_changed_at=clock.now())
    db.add(agent)
    db.commit()
    click.echo(f"added {agent.name} ({agent.state}; skills: {', '.join(agent.skills) or 'none'})")


@agents_cli.command("list")
def agents_list() -> None:
    """Every agent: state, since when, skills, how reached."""
    for agent in session().exec(select(Agent).order_by(Agent.name)).all():
        reached = "phone" if agent.phone else f"client:{agent.client_identity}"
        click.echo(f"{agent.name}\t{agent.state}\tsince {agent.state_changed_at:%Y-%m-%d %H:%M}Z\t"
                   f"skills {','.join(agent.skills) or '-'}\t{reached}\tmissed {agent.missed_in_a_row}")


@agents_cli.command("state")
@click.argument("name")
@click.argument("state", type=click.Choice(AGENT_STATES))
def agents_state(name: str, state: str) -> None:
    """Set agent NAME's state (available agents are rung for waiting callers)."""
    db = session()
    agent = _find(name)
    change_state(db, agent, state, clock.now())
    if state == AgentState.AVAILABLE.value:
        agent.missed_in_a_row = 0  # coming back on duty starts a fresh count
    db.add(agent)
    db.commit()
    click.echo(f"{agent.name} is now {agent.state}")
    if state == AgentState.AVAILABLE.value:
        request_dispatch()
