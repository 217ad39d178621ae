"""The operators' migration commands (`db current`, `db history`, `db downgrade`), the
lock that makes two deploys migrate one after the other, and a quiet first upgrade."""
import fcntl
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from models import migrate

ROOT = Path(__file__).resolve().parent.parent
HEAD = "0724_hours_reason_pl"
SECRET = "s" * 40


def cli(tmp_path, url):
    from wsgi import create_app

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": SECRET})
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output
    return run


def test_the_tests_name_the_newest_migration():
    assert migrate.head_revisions() == {HEAD}, "a new migration: move HEAD here to it"


def test_db_current_says_where_the_database_is(tmp_path):
    run = cli(tmp_path, f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    assert run("db", "current").startswith(f"no revision (empty) (behind: the code's head is {HEAD})")
    run("db", "upgrade")
    assert run("db", "current").strip() == f"{HEAD} (up to date)"


def test_db_history_lists_the_migrations_newest_first_and_marks_the_database(tmp_path):
    run = cli(tmp_path, f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    run("db", "upgrade", "0520_api_token_scopes")
    lines = run("db", "history").splitlines()
    assert lines[0].startswith(f"  {HEAD}\t<- ")
    assert any(line.startswith("  0540_phone_identity\t<- 0520_api_token_scopes\tcases.pin_hash, calls.stir_verstat")
               for line in lines)
    assert [line for line in lines if line.startswith("*")] == [
        next(line for line in lines if "0520_api_token_scopes\t<-" in line)]
    assert lines[-1].startswith("  0001_foundation\t<- (base)")


def test_db_downgrade_steps_back_and_says_where_it_stopped(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    run = cli(tmp_path, url)
    run("db", "upgrade")
    assert run("db", "downgrade", "0520_api_token_scopes").strip() == "database at 0520_api_token_scopes"
    assert migrate.current_heads(url) == {"0520_api_token_scopes"}
    assert "behind" in run("db", "current")
    run("db", "upgrade")
    assert migrate.current_heads(url) == {HEAD}


def _upgrade_in_background(url):
    errors = []

    def upgrade():
        try:
            migrate.upgrade(url)
        except Exception as exc:  # reported by the test's assert
            errors.append(exc)
    thread = threading.Thread(target=upgrade, daemon=True)
    thread.start()
    return thread, errors


def test_a_second_upgrade_of_a_sqlite_database_waits_for_the_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    # another process's upgrade, holding the lock file beside the database
    with open(tmp_path / "desk.sqlite3.migrate.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        thread, errors = _upgrade_in_background(url)
        thread.join(1.5)
        assert thread.is_alive(), "the second upgrade ran while the first held the lock"
        assert migrate.current_heads(url) == set()
    thread.join(60)
    assert not thread.is_alive() and errors == []
    assert migrate.current_heads(url) == {HEAD}


@pytest.fixture
def empty_postgresql():
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    from tests.support.workers import worker_database_url

    own = make_url(worker_database_url(os.environ["TEST_DATABASE_URL"]))
    url = own.set(database=f"{own.database}_migrate_lock")
    server = create_engine(own, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    from models.db import engine_for

    engine_for(url.render_as_string(hide_password=False)).dispose()
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    server.dispose()


def test_a_second_upgrade_of_a_postgresql_database_waits_for_the_first(empty_postgresql, caplog):
    url = empty_postgresql
    other_deploy = create_engine(url)
    with other_deploy.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": migrate.ADVISORY_LOCK_KEY})
        conn.commit()
        with caplog.at_level(logging.WARNING, logger="models.migrate"):
            thread, errors = _upgrade_in_background(url)
            thread.join(1.5)
        assert thread.is_alive(), "the second upgrade ran while the first held the lock"
        assert migrate.current_heads(url) == set()
        assert "another migration holds the lock" in caplog.text
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": migrate.ADVISORY_LOCK_KEY})
        conn.commit()
    thread.join(120)
    other_deploy.dispose()
    assert not thread.is_alive() and errors == []
    assert migrate.current_heads(url) == {HEAD}


def test_two_upgrades_at_once_both_succeed_on_postgresql(empty_postgresql):
    # as two hosts' deploys started together: without the lock one fails on a table the other made
    upgrades = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                                 cwd=ROOT, env=_production_env(empty_postgresql), text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [process.communicate(timeout=180)[0] for process in upgrades]
    assert [process.returncode for process in upgrades] == [0, 0], outputs
    assert migrate.current_heads(empty_postgresql) == {HEAD}


def _production_env(url):
    # what the compose file's migrate service gives the command
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    return {**keep, "DESK_ENV": "production", "DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": "k" * 40, "LOG_HASH_KEY": "h" * 40, "PUBLIC_BASE_URL": "https://desk.example.org",
            "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t" * 40,
            "TWILIO_PHONE_NUMBER": "+442071230000", "PYTHONUNBUFFERED": "1"}


def test_the_first_upgrade_of_an_empty_database_warns_of_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                          env={**_production_env(url), "INSTANCE_PATH": str(tmp_path)}, text=True,
                          capture_output=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output
    assert f"database at {HEAD}" in output


def test_an_unreadable_database_still_warns_when_reading_the_overrides(caplog):
    from models import db as database
    from services import hours

    token = database.bind(create_engine("sqlite:////nonexistent/folder/desk.sqlite3"))
    try:
        with caplog.at_level(logging.WARNING, logger="services.hours"):
            assert hours._read_overrides() is None
    finally:
        database.unbind(token)
    assert "could not read the desk-hours overrides (OperationalError)" in caplog.text
