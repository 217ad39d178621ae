"""`flask --app wsgi check`: the readiness checks of /readyz, from a shell (a deploy
script, a container's health check), exiting non-zero when any fails."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from services import readiness


@click.command("check")
@with_appcontext
def check() -> None:
    """Check the database, Redis and the schema; print each result; exit 1 if any failed."""
    results = readiness.run(current_app.config)
    for result in results:
        click.echo(f"{result.name}\t{'ok' if result.ok else 'FAILED'}\t{result.detail}")
    if not all(result.ok for result in results):
        raise SystemExit(1)
