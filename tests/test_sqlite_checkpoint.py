"""On SQLite the commits of webhooks do not copy the write-ahead log back into the
database file (which made about 1 webhook in 150 wait 30-170 ms for the copy and its
fsync); a background thread of the process does, within seconds."""
from __future__ import annotations

import time

from models import db


def test_the_log_is_copied_back_in_the_background_not_by_a_commit(tmp_path):
    path = tmp_path / "desk.sqlite3"
    url = f"sqlite:///{path}"
    engine = db.engine_for(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ballast (x BLOB)")
    with engine.begin() as conn:  # ~1,200 pages of log: past SQLite's default of 1,000
        conn.exec_driver_sql("INSERT INTO ballast VALUES (?)", (b"\x01" * 5_000_000,))
    assert path.stat().st_size < 1_000_000, "the commit itself copied the log into the database"

    db.start_checkpointer(url)
    deadline = time.monotonic() + 10 * db.CHECKPOINT_SECONDS
    while path.stat().st_size < 5_000_000 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_size >= 5_000_000, "the background checkpoint did not copy the log"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT length(x) FROM ballast").scalar() == 5_000_000
    engine.dispose()
