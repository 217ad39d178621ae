"""Engines and sessions.  Datetime columns are SQLModel's UTCDateTime: values go in
timezone-aware and come back in UTC on SQLite and PostgreSQL alike."""
from __future__ import annotations

import os
from datetime import datetime

from flask import g
from sqlalchemy import event
from sqlmodel import Session, create_engine

_engines: dict[str, object] = {}


def utcnow() -> datetime:
    """Aware UTC from the service clock (tests and the emulator may set it)."""
    from desk.clock import now

    return now()


def engine_for(url: str):
    """One engine per database URL per process (web app and workers alike)."""
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _engines[url] = engine
    return _engines[url]


def _forget_inherited_connections() -> None:
    # A forked process (each RQ job runs in one) must not use the connections its parent
    # opened: two processes on one socket or SQLite handle corrupt each other's state.
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # web and worker processes write concurrently
    # In WAL mode NORMAL cannot corrupt the file; a power cut (not a crash of the service)
    # may lose the last commits.  It saves an fsync per commit, which on SQLite is most of
    # a webhook's time.  Deployments that cannot lose a commit run on PostgreSQL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["db_engine"] = engine_for(url)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The request's session (one per app context)."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = Session(current_app.extensions["db_engine"], expire_on_commit=False)
    return g.db_session


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
