"""Parallel runs (pytest-xdist): each worker gets a PostgreSQL database and a Redis
database of its own, derived from the ones the run was given, so workers never empty
each other's tables."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, make_url, text


def worker_id() -> str | None:
    """'gw0', 'gw1', … inside an xdist worker; None in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str) -> str:
    """URL itself in a plain run; else the same server's <name>_<worker> database,
    created if missing."""
    worker = worker_id()
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": own.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def worker_redis_url(url: str | None) -> str | None:
    """A shared TEST_REDIS_URL moves each worker to a database number of its own
    (gw0 keeps the given one); the embedded Redis is per instance path already."""
    worker = worker_id()
    if not url or not worker:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{number}"))
