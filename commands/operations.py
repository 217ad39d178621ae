"""`flask --app wsgi …` commands for operators."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import select

from desk.clock import LONDON
from models import migrate
from models.db import session, utcnow
from models.tokens import SCOPES, ApiToken
from services import announcements, retention
from services.api_tokens import end_of, issue_token, last_day
from workers import process

db_cli = AppGroup("db", help="Database schema.")
token_cli = AppGroup("api-token", help="Bearer tokens for the case-system API.")
announcement_cli = AppGroup("announcement", help="The phone line's message of the day.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database to the newest schema (or REVISION)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {', '.join(sorted(migrate.current_heads(current_app.config['DATABASE_URL'])))}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION (see `db history`; the code that runs on it must be that old too)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    heads = migrate.current_heads(current_app.config["DATABASE_URL"])
    click.echo(f"database at {', '.join(sorted(heads)) or 'no revision (empty)'}")


@db_cli.command("current")
def db_current() -> None:
    """The database's revision, and whether this code's newest migration has run."""
    heads = migrate.current_heads(current_app.config["DATABASE_URL"])
    newest = migrate.head_revisions()
    state = "up to date" if heads == newest else f"behind: the code's head is {', '.join(sorted(newest))}"
    click.echo(f"{', '.join(sorted(heads)) or 'no revision (empty)'} ({state})")


@db_cli.command("history")
def db_history() -> None:
    """Every migration, newest first: revision, the one before it, what it does; * marks the database's."""
    heads = migrate.current_heads(current_app.config["DATABASE_URL"])
    for revision, before, doc in migrate.history():
        mark = "*" if revision in heads else " "
        click.echo(f"{mark} {revision}\t<- {before or '(base)'}\t{doc}")


@token_cli.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)),
              help="What the token may do (repeat for several): " + ", ".join(SCOPES))
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day (London) the token works, e.g. 2027-06-30; default: until revoked.")
def token_create(name: str, scopes: tuple[str, ...], expires) -> None:
    """Print a new token for NAME on the last line (only its hash is stored)."""
    try:
        token = issue_token(name, scopes=scopes, expires_at=end_of(expires.date()) if expires else None)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Token for {name} with {' '.join(sorted(set(scopes)))} (shown once; store it in the client's "
               "secret store):")
    click.echo(token)


@token_cli.command("list")
def token_list() -> None:
    """Tokens: name, state, scopes, expiry, when made and last used (UTC)."""
    now = utcnow()
    for row in session().exec(select(ApiToken).order_by(ApiToken.name)).all():
        if row.revoked_at:
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
        else:
            state = "expired" if row.expires_at and row.expires_at <= now else "active"
        expires = f"expires {last_day(row.expires_at):%Y-%m-%d}" if row.expires_at else "no expiry"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.name}\t{state}\t{row.scopes}\t{expires}\tcreated {row.created_at:%Y-%m-%d %H:%M}"
                   f"\tlast used {used}")


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
    process.run(current_app.config, burst=burst, name=name)


retention_cli = AppGroup("retention", help="Anonymise records past their retention periods; delete the audit log "
                                           "past its own.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be changed; change nothing.")
def retention_run(dry_run: bool) -> None:
    """Expire callbacks never placed, anonymise calls, texts, callbacks, surveys and
    cases past their periods, and delete audit log entries past theirs."""
    counts = retention.anonymise_old_records(dry_run=dry_run)
    config, verb = current_app.config, "would change" if dry_run else "changed"
    click.echo(f"periods: calls, texts, callbacks and surveys {config['RETENTION_DAYS']:g} days "
               f"(before {retention.cutoff():%Y-%m-%d %H:%M} UTC); cases {config['CASE_RETENTION_DAYS']:g} days "
               f"(closed: {config['CASE_CLOSED_RETENTION_DAYS']:g} days); audit log {config['AUDIT_RETENTION_DAYS']:g} "
               f"days; pending callbacks expire after {config['CALLBACK_EXPIRY_DAYS']:g} days")
    click.echo(f"rows {verb}:")
    for table, count in counts.items():
        click.echo(f"  {table}: {count}")


@announcement_cli.command("set")
@click.argument("text")
@click.option("--polish", "text_pl", default=None, help="The Polish text (default: Polish callers hear TEXT).")
@click.option("--until", "until", required=True, type=click.DateTime(formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]),
              help="When it stops (London time), e.g. '2026-12-06 08:00'.")
def announcement_set(text: str, text_pl: str | None, until) -> None:
    """Every caller hears TEXT right after the safety notice until --until."""
    try:
        row = announcements.set_announcement(session(), text, text_pl, until.replace(tzinfo=LONDON), by="flask")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Callers hear the announcement until {row.expires_at.astimezone(LONDON):%Y-%m-%d %H:%M} "
               f"(London), within {announcements.CACHE_SECONDS} seconds.")


@announcement_cli.command("clear")
def announcement_clear() -> None:
    """Stop the announcement now."""
    announcements.clear(session())
    click.echo(f"No announcement; callers stop hearing it within {announcements.CACHE_SECONDS} seconds.")
