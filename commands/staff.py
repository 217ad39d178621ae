"""`flask --app wsgi staff …`: create, list and disable console accounts."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlmodel import select

from models.agents import Agent
from models.db import session
from models.staff import STAFF_ROLES, StaffUser
from services.staff_accounts import create_account, end_sessions

staff = AppGroup("staff", help="Console staff accounts: create, list, disable.")


@staff.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--agent", "agent_name", help="The desk agent (see `agents list`) an agent account is.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def staff_create(email: str, role: str, agent_name: str | None, password_stdin: bool) -> None:
    """Create a console account for EMAIL."""
    agent_id = None
    if agent_name:
        agent = session().exec(select(Agent).where(Agent.name == agent_name)).first()
        if agent is None:
            raise click.ClickException(f"no agent named {agent_name!r} (add one with `agents add`)")
        agent_id = agent.id
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_account(email, role, password, agent_id)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {user.email} ({user.role})")


@staff.command("list")
def staff_list() -> None:
    """Every account: email, role, agent, active, last login."""
    db = session()
    for user in db.exec(select(StaffUser).order_by(StaffUser.email)).all():
        agent = db.get(Agent, user.agent_id) if user.agent_id else None
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}Z" if user.last_login_at else "never"
        click.echo(f"{user.email}\t{user.role}\t{agent.name if agent else '-'}\t"
                   f"{'active' if user.active else 'disabled'}\tlast login {last}")


@staff.command("disable")
@click.argument("email")
def staff_disable(email: str) -> None:
    """Disable EMAIL's account (it is logged out on its next request)."""
    db = session()
    user = db.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"no account for {email}")
    user.active = False
    end_sessions(user)
    db.add(user)
    db.commit()
    click.echo(f"disabled {user.email}")
