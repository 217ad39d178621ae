"""`flask --app wsgi …` commands for operators."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import select

from models import migrate
from models.db import session, utcnow
from models.tokens import ApiToken

db_cli = AppGroup("db", help="Database schema.")
token_cli = AppGroup("api-token", help="Bearer tokens for the case-system API.")


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Bring the database to the newest schema (or REVISION)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {', '.join(sorted(migrate.current_heads(current_app.config['DATABASE_URL'])))}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@token_cli.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Print a new token for NAME on the last line (only its hash is stored)."""
    from desk.api import issue_token

    try:
        token = issue_token(name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Token for {name} (shown once; store it in the client's secret store):")
    click.echo(token)


@token_cli.command("list")
def token_list() -> None:
    """Names of tokens, when made and last used, and whether revoked."""
    for row in session().exec(select(ApiToken).order_by(ApiToken.name)).all():
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.name}\t{state}\tcreated {row.created_at:%Y-%m-%d %H:%M}\tlast used {used}")


@token_cli.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Stop NAME's token working at once."""
    db = session()
    row = db.exec(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).first()
    if row is None:
        raise click.ClickException(f"no active token named {name!r}")
    row.revoked_at = utcnow()
    db.add(row)
    db.commit()
    click.echo(f"revoked {name}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then stop.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
def worker(burst: bool, name: str | None) -> None:
    """Run an RQ worker with the scheduler (retries, delayed sends, sweeps)."""
    from rq import Worker

    from workers import periodic
    from workers.queues import all_queues

    config = current_app.config
    queues = all_queues(config)
    # Sweeps run once at start (a burst worker still catches up on what is owed),
    # then on a timer while the worker lives.
    periodic.enqueue_due(config, force=burst)
    stop = None if burst else periodic.start_timer(config)
    try:
        Worker(queues, connection=queues[0].connection, name=name).work(
            burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        if stop:
            stop.set()


def init_app(app) -> None:
    from desk.emulator_cli import call, sms

    app.cli.add_command(call)
    app.cli.add_command(sms)
    app.cli.add_command(db_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(worker)
    from workers.retention import cli as retention_cli

    app.cli.add_command(retention_cli)
