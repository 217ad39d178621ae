"""Alembic, configured in code so `flask --app wsgi db upgrade` needs no ini file.

Upgrades and downgrades hold a lock for the whole run, so two deploys started at once
(two hosts, or a retried job) take turns: the second waits, then finds the schema at
the head and does nothing."""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection

from models.db import engine_for

try:
    import fcntl
except ImportError:  # Windows: no flock; a development machine runs one migration at a time
    fcntl = None

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The key of the PostgreSQL advisory lock every migration holds (any constant the
# service uses for nothing else; these are the bytes of "deskmigr").
ADVISORY_LOCK_KEY = int.from_bytes(b"deskmigr", "big") & 0x7FFF_FFFF_FFFF_FFFF

log = logging.getLogger(__name__)


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    # one line of migrations (0500_one_line joined the old branches): "head" fails loudly if a second appears
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)


def current_heads(database_url: str) -> set[str]:
    with engine_for(database_url).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revision(s) the code knows (one, while the migrations form one line)."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def history() -> list[tuple[str, str | None, str]]:
    """(revision, the one before it, its first docstring line), newest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    rows = []
    for rev in script.walk_revisions():
        before = rev.down_revision
        rows.append((rev.revision, ",".join(before) if isinstance(before, tuple) else before,
                     (rev.doc or "").strip().split("\n")[0]))
    return rows


@contextlib.contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        with engine_for(database_url).connect() as conn:
            with _advisory_lock(conn):
                yield
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and fcntl:
        with _file_lock(Path(url.database + ".migrate.lock")):
            yield
    else:  # an in-memory database belongs to one process: nothing to share
        yield


@contextlib.contextmanager
def _advisory_lock(conn: Connection) -> Iterator[None]:
    # A session-level lock on a connection of its own: it lasts across the migrations'
    # transactions, and ends with the connection if this process dies mid-way.
    if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar():
        log.warning("another migration holds the lock on this database; waiting for it to finish")
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    conn.commit()  # not idle in a transaction while the migrations run
    try:
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        conn.commit()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # Alembic runs SQLite's DDL outside a transaction, so two upgrades at once could both
    # start from the same revision; a lock file beside the database makes them take turns.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another migration holds %s; waiting for it to finish", path)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
