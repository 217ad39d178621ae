"""Engines and sessions.  Datetime columns are SQLModel's UTCDateTime: values go in
timezone-aware and come back in UTC on SQLite and PostgreSQL alike.

A unit of work (a web request's app context, a worker's job) binds an engine with
``bind``; ``session()`` is then that unit's one session, closed by ``unbind``.  Nothing
here knows of Flask: the web app binds on each app context, a worker on each job.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from desk.clock import now

log = logging.getLogger(__name__)

_engines: dict[str, object] = {}
_checkpointed: set[tuple[int, str]] = set()

# SQLite copies its write-ahead log back into the database file ("checkpoint") in the
# commit that crosses this many pages, and that commit waits for the copy and its
# fsync: tens of milliseconds or more, for about 1 webhook in 150 at the default of
# 1000 pages.  A thread in each process checkpoints every CHECKPOINT_SECONDS instead;
# the raised threshold only matters if that thread cannot keep up.
WAL_AUTOCHECKPOINT_PAGES = 10000
CHECKPOINT_SECONDS = 1.0


def utcnow() -> datetime:
    """Aware UTC from the service clock (tests and the emulator may set it)."""
    return now()


def engine_for(url: str):
    """One engine per database URL per process (web app and workers alike)."""
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                   hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
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
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def start_checkpointer(url: str) -> None:
    """Checkpoint a SQLite database's log in the background of this process, once per
    process (a forked child, such as an RQ work horse, leaves it to its parent)."""
    key = (os.getpid(), url)
    if not url.startswith("sqlite:///") or key in _checkpointed:
        return
    _checkpointed.add(key)
    path = url.removeprefix("sqlite:///")
    threading.Thread(target=_checkpoint_forever, args=(path,), name="sqlite-checkpoint", daemon=True).start()


def _checkpoint_forever(path: str) -> None:
    # its own connection, outside SQLAlchemy's pool: nothing shared with request threads
    connection = None
    while True:
        time.sleep(CHECKPOINT_SECONDS)
        try:
            connection = connection or sqlite3.connect(path, timeout=0, check_same_thread=False)
            # PASSIVE never waits for readers or writers; what it cannot copy now waits for next time
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            log.debug("checkpoint of the SQLite log skipped: %s", exc)
            if connection is not None:
                connection.close()
                connection = None


def prepare(url: str) -> Engine:
    """The engine for URL, its SQLite folder made and its checkpointer running."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    start_checkpointer(url)
    return engine_for(url)


@dataclass
class _Unit:
    engine: Engine
    session: Session | None = None


_unit: ContextVar[_Unit] = ContextVar("desk_db_unit")


def bind(engine: Engine):
    """Start a unit of work on ENGINE; returns the token ``unbind`` takes."""
    return _unit.set(_Unit(engine))


def unbind(token) -> None:
    unit = _unit.get(None)
    _unit.reset(token)
    if unit is not None and unit.session is not None:
        unit.session.close()


def is_bound() -> bool:
    return _unit.get(None) is not None


def current_engine() -> Engine:
    try:
        return _unit.get().engine
    except LookupError:
        raise RuntimeError("no database bound: run inside the web app or a worker job") from None


def session() -> Session:
    """The unit of work's session (one per request or job)."""
    try:
        unit = _unit.get()
    except LookupError:
        raise RuntimeError("no database bound: run inside the web app or a worker job") from None
    if unit.session is None:
        unit.session = Session(unit.engine, expire_on_commit=False)
    return unit.session


def core(db: Session):
    """DB's connection, for Core statements in its transaction.  What the ORM holds
    unwritten is flushed first, as ``Session.execute`` would, so the statement sees it."""
    if db.new or db.dirty or db.deleted:
        db.flush()
    return db.connection()
