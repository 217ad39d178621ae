"""Can this process serve: the database answers, Redis answers, and the schema is the
one this code was written for (the newest Alembic migration).  ``/readyz`` and
``flask --app wsgi check`` run the same checks."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text

from desk.redis_conn import connect
from models.db import engine_for
from models.migrate import alembic_config, current_heads


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@functools.cache
def code_heads() -> frozenset[str]:
    """The newest migration(s) this code ships; read once, as the files do not change under a running process."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def database(config: Mapping[str, Any]) -> Check:
    with engine_for(config["DATABASE_URL"]).connect() as conn:
        conn.execute(text("SELECT 1"))
    return Check("database", True, "answers")


def redis(config: Mapping[str, Any]) -> Check:
    connect(config).ping()
    return Check("redis", True, "answers")


def schema(config: Mapping[str, Any]) -> Check:
    have, want = current_heads(config["DATABASE_URL"]), code_heads()
    if have == want:
        return Check("schema", True, f"at {', '.join(sorted(have))}")
    return Check("schema", False, f"database at {', '.join(sorted(have)) or 'no migration'}, code needs "
                                  f"{', '.join(sorted(want))} (run `flask --app wsgi db upgrade`)")


CHECKS = (database, redis, schema)


def run(config: Mapping[str, Any]) -> list[Check]:
    """Every check, each on its own: one failing does not hide another's result."""
    results = []
    for check in CHECKS:
        try:
            results.append(check(config))
        except Exception as exc:  # noqa: BLE001 - a readiness check reports any failure, it does not raise
            # the exception's type only: a driver's message can hold the connection URL
            results.append(Check(check.__name__, False, f"failed: {type(exc).__name__}"))
    return results
